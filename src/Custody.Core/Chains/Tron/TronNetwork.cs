namespace Custody.Core.Chains.Tron;

/// <summary>TRON mainnet: one network, whose addresses start with the 0x41 prefix byte ("T…").</summary>
public sealed record TronNetwork(string Name) : ChainNetwork
{
    public static TronNetwork Mainnet { get; } = new("tron");
}
