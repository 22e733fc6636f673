using Custody.Core.Ledger;
using Custody.V1;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;

using WalletKind = Custody.V1.WalletKind;

namespace Custody.Daemon.Tests;

/// <summary>
/// Every rpc the daemon serves × every role × {an unscoped token, a token scoped to the target
/// wallet, a token scoped to another wallet}: allowed (the call succeeds) or refused with
/// PERMISSION_DENIED and ROLE_REQUIRED or WALLET_NOT_IN_SCOPE, as the table below says; and a
/// token scoped elsewhere never reads the target wallet's id in an answer it did not ask by that id.
/// The same table holds over gRPC and over HTTP/JSON (every custody.v1 rpc has a route there).
/// </summary>
[Collection(DaemonCollection.Name)]
public class ScopeMatrixTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private const string Allowed = "allowed";

    /// <summary>Which tokens that hold the role get through.</summary>
    private enum Reach
    {
        /// <summary>No token needed at all.</summary>
        Public,
        /// <summary>Any token with the role, whatever its scope (the answer holds nothing of a wallet out of scope).</summary>
        AnyScope,
        /// <summary>Unscoped tokens and tokens whose scope holds the target wallet.</summary>
        TargetWallet,
        /// <summary>Only unscoped tokens: a global object.</summary>
        Unscoped,
    }

    private enum Column { Unscoped, ScopedIn, ScopedOut }

    private const Roles Anyone = Roles.Signer | Roles.Approver | Roles.Auditor | Roles.Admin;

    /// <summary>The objects the calls name: the target wallet, a request parked on it, one of its audit records.</summary>
    private sealed class Target
    {
        public required string WalletId { get; init; }
        public required string ParkedDigest { get; init; }
        public required ulong RecordSequence { get; init; }
        public required string Policy { get; init; }
        private int _counter;
        public int Next() => Interlocked.Increment(ref _counter);
    }

    private sealed record Row(string Method, Roles Roles, Reach Reach, Func<Target, IMessage> Request, Func<Target, Task>? AfterAllowed = null);

    private IEnumerable<Row> Rows() =>
    [
        new("/custody.v1.SystemService/Ping", Anyone, Reach.AnyScope, _ => new PingRequest()),

        new("/custody.v1.WalletService/CreateWallet", Roles.Admin, Reach.Unscoped, _ => new CreateWalletRequest { Name = "matrix", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }),
        new("/custody.v1.WalletService/ListWallets", Anyone, Reach.AnyScope, _ => new ListWalletsRequest { PageSize = 500 }),
        new("/custody.v1.WalletService/GetWallet", Anyone, Reach.TargetWallet, t => new GetWalletRequest { WalletId = t.WalletId }),
        new("/custody.v1.WalletService/DeriveAddress", Roles.Signer | Roles.Admin, Reach.TargetWallet,
            t => new DeriveAddressRequest { WalletId = t.WalletId, Chain = "eth", Index = 0 }),
        new("/custody.v1.WalletService/GetAccountXpub", Roles.Signer | Roles.Admin, Reach.TargetWallet,
            t => new GetAccountXpubRequest { WalletId = t.WalletId, Chain = "btc" }),
        new("/custody.v1.WalletService/CreateAccount", Roles.Admin, Reach.TargetWallet,
            t => new CreateAccountRequest { WalletId = t.WalletId, Name = $"matrix-{t.Next()}", Chain = "btc", Cosigners = MatrixCosigners }),
        new("/custody.v1.WalletService/ListAccounts", Anyone, Reach.TargetWallet, t => new ListAccountsRequest { WalletId = t.WalletId }),
        new("/custody.v1.WalletService/GetAccount", Anyone, Reach.TargetWallet, t => new GetAccountRequest { WalletId = t.WalletId, Name = "matrix" }),
        new("/custody.v1.WalletService/DeriveAccountAddress", Roles.Signer | Roles.Admin, Reach.TargetWallet,
            t => new DeriveAccountAddressRequest { WalletId = t.WalletId, Name = "matrix", Index = 1 }),

        new("/custody.v1.SigningService/SignTransaction", Roles.Signer, Reach.TargetWallet, t => new SignTransactionRequest
        {
            RequestId = "matrix-" + Guid.NewGuid().ToString("N"), WalletId = t.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559((ulong)t.Next()),
        }),
        new("/custody.v1.SigningService/SignMessage", Roles.Signer, Reach.TargetWallet, t => new SignMessageRequest
        {
            RequestId = "matrix-" + Guid.NewGuid().ToString("N"), WalletId = t.WalletId, Chain = "eth", PersonalMessage = ByteString.CopyFromUtf8("matrix"),
        }),
        // A signer reads only its own parked requests; the target's was parked by the matrix signer.
        new("/custody.v1.SigningService/GetRequest", Roles.Signer | Roles.Approver | Roles.Admin, Reach.TargetWallet,
            t => new GetRequestRequest { RequestDigest = t.ParkedDigest }),
        new("/custody.v1.SigningService/ListParkedRequests", Roles.Approver | Roles.Admin, Reach.TargetWallet,
            t => new ListParkedRequestsRequest { WalletId = t.WalletId }),
        // A signature that does not verify: an allowed call answers "Refused" and changes nothing.
        new("/custody.v1.SigningService/ApproveRequest", Roles.Approver, Reach.TargetWallet,
            t => new SubmitVerdictRequest { RequestDigest = t.ParkedDigest, Signature = ByteString.CopyFrom(new byte[64]) }),
        new("/custody.v1.SigningService/RejectRequest", Roles.Approver, Reach.TargetWallet,
            t => new SubmitVerdictRequest { RequestDigest = t.ParkedDigest, Signature = ByteString.CopyFrom(new byte[64]) }),
        // Two copies of one PSBT: nothing to merge, nothing conflicts.
        new("/custody.v1.SigningService/CombinePsbt", Roles.Signer | Roles.Admin, Reach.AnyScope, _ => new CombinePsbtRequest
        {
            Chain = "btc", Psbts = { MatrixPsbt, MatrixPsbt },
        }),

        new("/custody.v1.PolicyService/GetPolicy", Anyone, Reach.TargetWallet, t => new GetPolicyRequest { WalletId = t.WalletId }),
        // The same document again: no new version.
        new("/custody.v1.PolicyService/SetPolicy", Roles.Admin, Reach.TargetWallet, t => new SetPolicyRequest { WalletId = t.WalletId, Document = t.Policy }),
        new("/custody.v1.PolicyService/DryRun", Roles.Signer | Roles.Admin, Reach.TargetWallet,
            t => new DryRunRequest { WalletId = t.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(0) }),
        new("/custody.v1.PolicyService/Freeze", Roles.Admin | Roles.Approver | Roles.Auditor, Reach.TargetWallet,
            t => new FreezeRequest { WalletId = t.WalletId, Reason = "matrix" },
            t => daemon.Policy.UnfreezeAsync(new UnfreezeRequest { WalletId = t.WalletId }, DaemonFixture.Bearer(daemon.AdminToken)).ResponseAsync),
        new("/custody.v1.PolicyService/Unfreeze", Roles.Admin, Reach.TargetWallet, t => new UnfreezeRequest { WalletId = t.WalletId }),
        new("/custody.v1.PolicyService/GetFreeze", Anyone, Reach.TargetWallet, t => new GetFreezeRequest { WalletId = t.WalletId }),
        new("/custody.v1.PolicyService/RegisterApprover", Roles.Admin, Reach.Unscoped, t => new RegisterApproverRequest
        {
            ApproverId = $"matrix-registered-{t.Next()}", Algorithm = ApproverKeyAlgorithm.Ed25519, PublicKey = ByteString.CopyFrom(Core.Crypto.Ed25519.GetPublicKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))),
        }),
        new("/custody.v1.PolicyService/RevokeApprover", Roles.Admin, Reach.Unscoped, _ => new RevokeApproverRequest { ApproverId = "matrix-nobody" }),

        new("/custody.v1.AuditService/ListRecords", Roles.Auditor | Roles.Admin, Reach.TargetWallet, t => new ListAuditRecordsRequest { WalletId = t.WalletId }),
        new("/custody.v1.AuditService/Verify", Roles.Auditor | Roles.Admin, Reach.Unscoped, _ => new VerifyAuditRequest()),
        new("/custody.v1.AuditService/GetInclusionProof", Roles.Auditor | Roles.Admin, Reach.TargetWallet,
            t => new GetInclusionProofRequest { Sequence = t.RecordSequence }),
        // Checkpoint notes, sizes and hashes: what any witness holds.
        new("/custody.v1.AuditService/GetConsistencyProof", Roles.Auditor | Roles.Admin, Reach.AnyScope,
            _ => new GetConsistencyProofRequest { FromCheckpoint = 0, ToCheckpoint = 0 }),

        new("/grpc.health.v1.Health/Check", Roles.None, Reach.Public, _ => new HealthCheckRequest()),
        new("/grpc.health.v1.Health/Watch", Roles.None, Reach.Public, _ => new HealthCheckRequest()),
        new("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", Anyone, Reach.AnyScope,
            _ => new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" }),
        new("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo", Anyone, Reach.AnyScope,
            _ => new Grpc.Reflection.V1.ServerReflectionRequest { ListServices = "" }),
    ];

    /// <summary>A 2-of-2 P2WSH account: ours and one cosigner's key.</summary>
    private static Cosigners MatrixCosigners => new()
    {
        Threshold = 2, ScriptType = MultisigScriptType.P2Wsh,
        Keys = { $"[00000001/48h/0h/0h/2h]{NBitcoin.ExtKey.CreateFromSeed(new byte[32]).Derive(new NBitcoin.KeyPath("48'/0'/0'/2'")).Neuter().ToString(NBitcoin.Network.Main)}" },
    };

    private static readonly string MatrixPsbt = BitcoinPayloads.P2wpkhSpend(1, Core.Hd.KeyPath.Parse("m/84'/0'/0'/0/0"),
        Convert.FromHexString("0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c"), 100_000, "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", 90_000).Psbt;

    private static string Expected(Row row, Roles role, Column column) =>
        row.Reach == Reach.Public ? Allowed
        : (row.Roles & role) == Roles.None ? "ROLE_REQUIRED"
        : (row.Reach, column) switch
        {
            (Reach.AnyScope, _) or (_, Column.Unscoped) or (Reach.TargetWallet, Column.ScopedIn) => Allowed,
            _ => "WALLET_NOT_IN_SCOPE",
        };

    [Theory]
    [InlineData("grpc")]
    [InlineData("http")]
    public async Task Every_rpc_allows_and_refuses_each_role_and_scope_as_the_table_says(string transport)
    {
        var served = ServedRpcs.Of(daemon.App);
        var rows = Rows().ToList();
        Assert.Equal(served.Keys, rows.Select(r => r.Method).Order(StringComparer.Ordinal)); // a new rpc needs its row here
        var ours = served.Values.Where(m => m.Service.File.Package == "custody.v1").ToList();
        Assert.All(ours, m => Assert.True(HttpJson.RuleOf(m) is not null, $"{ServedRpcs.FullName(m)} has no google.api.http route"));
        Func<MethodDescriptor, IMessage, Metadata, Task<IMessage>> call;
        if (transport == "grpc")
        {
            var invoker = daemon.Channel.CreateCallInvoker();
            call = (method, request, token) => ServedRpcs.CallAsync(invoker, method, request, token);
        }
        else
        {
            // Health and reflection are gRPC's own protocols: over HTTP there are /healthz and /readyz.
            rows = rows.Where(r => ours.Any(m => ServedRpcs.FullName(m) == r.Method)).ToList();
            var http = HttpJson.ForPort(daemon.HttpPort);
            call = async (method, request, token) => (await http.CallAsync(method, request, token.GetValue("authorization")!["Bearer ".Length..])).Reply;
        }

        var target = await PrepareTargetAsync();
        var other = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "matrix-other", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.AdminToken));
        var tokens = new Dictionary<(Roles, Column), Metadata>();
        foreach (var role in new[] { Roles.Signer, Roles.Approver, Roles.Auditor, Roles.Admin })
        {
            var principal = "matrix-" + RoleNames.Format(role);
            tokens[(role, Column.Unscoped)] = DaemonFixture.Bearer(daemon.NewToken(principal, role, WalletScope.All));
            tokens[(role, Column.ScopedIn)] = DaemonFixture.Bearer(daemon.NewToken(principal, role, WalletScope.Of([target.WalletId])));
            tokens[(role, Column.ScopedOut)] = DaemonFixture.Bearer(daemon.NewToken(principal, role, WalletScope.Of([other.WalletId])));
        }

        var wrong = new List<string>();
        foreach (var row in rows)
        {
            foreach (var ((role, column), token) in tokens)
            {
                var request = row.Request(target);
                var (outcome, answer) = await OutcomeAsync(() => call(served[row.Method], request, token));
                var cell = $"{row.Method} {RoleNames.Format(role)} {column}";
                if (outcome != Expected(row, role, column)) wrong.Add($"{cell}: expected {Expected(row, role, column)}, got {outcome}");
                if (column == Column.ScopedOut && !request.ToString()!.Contains(target.WalletId, StringComparison.Ordinal)
                    && answer.Contains(target.WalletId, StringComparison.Ordinal))
                    wrong.Add($"{cell}: the answer names the target wallet: {answer}");
                if (outcome == Allowed && row.AfterAllowed is { } after) await after(target);
            }
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} cells differ from the table:\n" + string.Join("\n", wrong));
    }

    /// <summary>"allowed", or the reason of a PERMISSION_DENIED by role or scope, or anything else as it came; and the answer's text.</summary>
    private static async Task<(string Outcome, string Answer)> OutcomeAsync(Func<Task<IMessage>> call)
    {
        try
        {
            return (Allowed, (await call()).ToString() ?? "");
        }
        catch (RpcException e)
        {
            var info = e.GetRpcStatus()?.GetDetail<ErrorInfo>();
            var answer = $"{e.Status.Detail} {info}";
            return e.StatusCode == StatusCode.PermissionDenied && info is { Reason: "ROLE_REQUIRED" or "WALLET_NOT_IN_SCOPE" }
                ? (info.Reason, answer)
                : ($"{e.StatusCode} {info?.Reason}: {e.Status.Detail}", answer);
        }
    }

    /// <summary>
    /// A wallet whose policy lets the matrix signer sign on eth (raw messages too) and parks every
    /// transfer on evm:137 for the matrix approver; one request parked there; one of its audit
    /// records covered by a checkpoint.
    /// </summary>
    private async Task<Target> PrepareTargetAsync()
    {
        var admin = DaemonFixture.Bearer(daemon.AdminToken);
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "matrix-target", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, admin);
        const string policy = """
            { "schema": "custody-policy/v1", "principals": ["matrix-signer"],
              "approvals": { "required": 1, "approvers": ["matrix-approver"], "expiry": "1h" },
              "chains": {
                "eth": { "rawSigning": true, "assets": { "native": {} } },
                "evm:137": { "assets": { "native": { "approvalAbove": "1000" } } } } }
            """;
        var published = await daemon.Policy.SetPolicyAsync(new SetPolicyRequest { WalletId = wallet.WalletId, Document = policy }, admin);
        var signer = DaemonFixture.Bearer(daemon.NewToken("matrix-signer", Roles.Signer, WalletScope.All));
        var parked = await Errors.RefusedAsync(StatusCode.FailedPrecondition, "APPROVAL_REQUIRED", () => daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = "matrix-parked-" + Guid.NewGuid().ToString("N"), WalletId = wallet.WalletId, Chain = "evm:137", Payload = EvmPayloads.Eip1559(0, chainId: 137),
        }, signer));
        await daemon.Wallets.CreateAccountAsync(new CreateAccountRequest { WalletId = wallet.WalletId, Name = "matrix", Chain = "btc", Cosigners = MatrixCosigners }, admin);
        var auditor = DaemonFixture.Bearer(daemon.AuditorToken);
        var record = (await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { WalletId = wallet.WalletId }, auditor)).Records[0].Sequence;
        await Eventually.SucceedsAsync(async () => await daemon.Audit.GetInclusionProofAsync(new GetInclusionProofRequest { Sequence = record }, auditor),
            TimeSpan.FromSeconds(30));
        return new Target { WalletId = wallet.WalletId, ParkedDigest = parked.Metadata["request_digest"], RecordSequence = record, Policy = published.Document };
    }
}
