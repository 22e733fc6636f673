using Custody.Core.Ledger;

namespace Custody.Daemon.Auth;

/// <summary>
/// The one table of authorisation: for every method, the roles that may call it and what a
/// wallet-scoped token may do with it. <see cref="AuthInterceptor"/> enforces it for every call,
/// so services hold no role or scope checks. A method missing here is refused: new rpcs are
/// closed until someone decides who may call them. The proto comments and docs/daemon.md say
/// the same in words.
/// </summary>
public static class RpcPermissions
{
    private const Roles Anyone = Roles.Signer | Roles.Approver | Roles.Auditor | Roles.Admin;

    private static readonly Dictionary<string, RpcPermission> ByMethod = new(StringComparer.Ordinal)
    {
        ["/grpc.health.v1.Health/Check"] = RpcPermission.Public,
        ["/grpc.health.v1.Health/Watch"] = RpcPermission.Public,
        // The schema is public (the proto files); reflection answers nothing of a wallet.
        ["/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"] = new(Anyone, ScopeRule.None),
        ["/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"] = new(Anyone, ScopeRule.None),

        ["/custody.v1.SystemService/Ping"] = new(Anyone, ScopeRule.None),

        // A new wallet is in no token's scope: creating one is an installation-wide act.
        ["/custody.v1.WalletService/CreateWallet"] = new(Roles.Admin, ScopeRule.Unscoped),
        ["/custody.v1.WalletService/ListWallets"] = new(Anyone, ScopeRule.ListedWallets),
        ["/custody.v1.WalletService/GetWallet"] = new(Anyone, ScopeRule.RequestWallet),
        ["/custody.v1.WalletService/DeriveAddress"] = new(Roles.Signer | Roles.Admin, ScopeRule.RequestWallet),
        ["/custody.v1.WalletService/GetAccountXpub"] = new(Roles.Signer | Roles.Admin, ScopeRule.RequestWallet),
        // Defining an account changes the wallet, as a policy does: an admin of the wallet.
        ["/custody.v1.WalletService/CreateAccount"] = new(Roles.Admin, ScopeRule.RequestWallet),
        ["/custody.v1.WalletService/ListAccounts"] = new(Anyone, ScopeRule.RequestWallet),
        ["/custody.v1.WalletService/GetAccount"] = new(Anyone, ScopeRule.RequestWallet),
        ["/custody.v1.WalletService/DeriveAccountAddress"] = new(Roles.Signer | Roles.Admin, ScopeRule.RequestWallet),

        ["/custody.v1.SigningService/SignTransaction"] = new(Roles.Signer, ScopeRule.RequestWallet),
        ["/custody.v1.SigningService/SignMessage"] = new(Roles.Signer, ScopeRule.RequestWallet),
        // A signer reads only the requests it made (the service answers NOT_FOUND for others).
        ["/custody.v1.SigningService/GetRequest"] = new(Roles.Signer | Roles.Approver | Roles.Admin, ScopeRule.ParkedRequestWallet),
        ["/custody.v1.SigningService/ListParkedRequests"] = new(Roles.Approver | Roles.Admin, ScopeRule.RequestWallet),
        ["/custody.v1.SigningService/ApproveRequest"] = new(Roles.Approver, ScopeRule.ParkedRequestWallet, CallerField: "approver_id"),
        ["/custody.v1.SigningService/RejectRequest"] = new(Roles.Approver, ScopeRule.ParkedRequestWallet, CallerField: "approver_id"),
        // No key, no wallet, nothing stored: the answer holds only the PSBTs the caller sent.
        ["/custody.v1.SigningService/CombinePsbt"] = new(Roles.Signer | Roles.Admin, ScopeRule.None),

        ["/custody.v1.PolicyService/GetPolicy"] = new(Anyone, ScopeRule.RequestWallet),
        ["/custody.v1.PolicyService/SetPolicy"] = new(Roles.Admin, ScopeRule.RequestWallet),
        ["/custody.v1.PolicyService/DryRun"] = new(Roles.Signer | Roles.Admin, ScopeRule.RequestWallet),
        // Whoever watches may stop; only an admin may resume.
        ["/custody.v1.PolicyService/Freeze"] = new(Roles.Admin | Roles.Approver | Roles.Auditor, ScopeRule.RequestWallet),
        ["/custody.v1.PolicyService/Unfreeze"] = new(Roles.Admin, ScopeRule.RequestWallet),
        ["/custody.v1.PolicyService/GetFreeze"] = new(Anyone, ScopeRule.RequestWallet),
        // Approvers are global: any wallet's policy may name one, so a key counts for every wallet.
        ["/custody.v1.PolicyService/RegisterApprover"] = new(Roles.Admin, ScopeRule.Unscoped),
        ["/custody.v1.PolicyService/RevokeApprover"] = new(Roles.Admin, ScopeRule.Unscoped),

        ["/custody.v1.AuditService/ListRecords"] = new(Roles.Auditor | Roles.Admin, ScopeRule.RequestWallet),
        // Replays every record of every wallet, and its failure names any record.
        ["/custody.v1.AuditService/Verify"] = new(Roles.Auditor | Roles.Admin, ScopeRule.Unscoped),
        ["/custody.v1.AuditService/GetInclusionProof"] = new(Roles.Auditor | Roles.Admin, ScopeRule.AuditRecordWallet),
        // Signed checkpoint notes, tree sizes and hashes: what any witness holds, and what a scoped
        // auditor needs to carry its own records' proofs from one checkpoint to the next.
        ["/custody.v1.AuditService/GetConsistencyProof"] = new(Roles.Auditor | Roles.Admin, ScopeRule.None),
    };

    /// <summary>Who may call <paramref name="method"/>; <see cref="RpcPermission.Closed"/> when the table does not name it.</summary>
    public static RpcPermission Of(string method) => ByMethod.GetValueOrDefault(method, RpcPermission.Closed);

    public static IReadOnlyDictionary<string, RpcPermission> All => ByMethod;
}
