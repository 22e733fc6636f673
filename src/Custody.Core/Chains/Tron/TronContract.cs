namespace Custody.Core.Chains.Tron;

/// <summary>
/// The one contract of a TRON transaction: its type, the Any's type_url and the
/// still-encoded parameter message, and the permission it is signed under (0 = owner).
/// </summary>
public sealed record TronContract(TronContractType Type, string TypeUrl, ReadOnlyMemory<byte> Parameter, int PermissionId)
{
    public const string TypeUrlPrefix = "type.googleapis.com/protocol.";

    /// <summary>The proto name of the type, or "ContractType(n)" for a number this build does not know.</summary>
    public string TypeName => Enum.IsDefined(Type) ? Type.ToString() : $"ContractType({(int)Type})";
}
