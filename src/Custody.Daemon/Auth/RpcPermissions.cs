using Custody.Core.Ledger;

namespace Custody.Daemon.Auth;

/// <summary>
/// Which roles may call which method (any one of them suffices). A method missing from
/// this table is refused: new rpcs are closed until someone decides who may call them.
/// </summary>
public static class RpcPermissions
{
    private const Roles Anyone = Roles.Signer | Roles.Approver | Roles.Auditor | Roles.Admin;

    /// <summary>Services open without a token: load balancers probe health before they hold secrets.</summary>
    public static bool IsPublic(string method) => method.StartsWith("/grpc.health.v1.Health/", StringComparison.Ordinal);

    private static readonly Dictionary<string, Roles> ByMethod = new(StringComparer.Ordinal)
    {
        ["/custody.v1.SystemService/Ping"] = Anyone,
        ["/custody.v1.WalletService/CreateWallet"] = Roles.Admin,
        ["/custody.v1.WalletService/ListWallets"] = Anyone,
        ["/custody.v1.WalletService/GetWallet"] = Anyone,
        ["/custody.v1.WalletService/DeriveAddress"] = Roles.Signer | Roles.Admin,
        ["/custody.v1.WalletService/GetAccountXpub"] = Roles.Signer | Roles.Admin,
        ["/custody.v1.SigningService/SignTransaction"] = Roles.Signer,
        ["/custody.v1.SigningService/SignMessage"] = Roles.Signer,
        ["/custody.v1.SigningService/GetRequest"] = Roles.Approver | Roles.Admin | Roles.Signer,
        ["/custody.v1.SigningService/ListParkedRequests"] = Roles.Approver | Roles.Admin,
        ["/custody.v1.SigningService/ApproveRequest"] = Roles.Approver,
        ["/custody.v1.SigningService/RejectRequest"] = Roles.Approver,
        ["/custody.v1.PolicyService/GetPolicy"] = Anyone,
        ["/custody.v1.PolicyService/SetPolicy"] = Roles.Admin,
        ["/custody.v1.PolicyService/DryRun"] = Roles.Signer | Roles.Admin,
        ["/custody.v1.PolicyService/Freeze"] = Roles.Admin | Roles.Approver | Roles.Auditor,
        ["/custody.v1.PolicyService/Unfreeze"] = Roles.Admin,
        ["/custody.v1.PolicyService/GetFreeze"] = Anyone,
        ["/custody.v1.PolicyService/RegisterApprover"] = Roles.Admin,
        ["/custody.v1.PolicyService/RevokeApprover"] = Roles.Admin,
        ["/custody.v1.AuditService/ListRecords"] = Roles.Auditor | Roles.Admin,
        ["/custody.v1.AuditService/Verify"] = Roles.Auditor | Roles.Admin,
        ["/custody.v1.AuditService/GetInclusionProof"] = Roles.Auditor | Roles.Admin,
        ["/custody.v1.AuditService/GetConsistencyProof"] = Roles.Auditor | Roles.Admin,
        ["/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"] = Anyone,
        ["/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"] = Anyone,
    };

    /// <summary>The roles that may call <paramref name="method"/>, or None when nobody may.</summary>
    public static Roles Required(string method) => ByMethod.GetValueOrDefault(method, Roles.None);

    public static IReadOnlyCollection<string> Methods => ByMethod.Keys;
}
