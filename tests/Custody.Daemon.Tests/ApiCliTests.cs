using System.Text.Json;
using Custody.Core.Ledger;
using Custody.V1;
using WalletKind = Custody.V1.WalletKind;
using WalletBackup = Custody.V1.WalletBackup;
using Grpc.Core;

namespace Custody.Daemon.Tests;

/// <summary>
/// custody-admin as the API's client, run as a process against the running daemon: the verbs the
/// README walkthrough does not run (wallet create, address derive, sign message, --json, P-256
/// approver keys, requests show and reject, approver revoke) and the command line's manners
/// (completion, "did you mean", an unreachable daemon named as such).
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class ApiCliTests(DaemonFixture daemon) : IDisposable
{
    private readonly DirectoryInfo dir = Directory.CreateTempSubdirectory("custody-api-cli-");

    public void Dispose() => dir.Delete(recursive: true);

    private string NewFile(string contents, string suffix = "")
    {
        var path = Path.Combine(dir.FullName, Guid.NewGuid().ToString("N") + suffix);
        File.WriteAllText(path, contents);
        return path;
    }

    private ChildProcess.Result Admin(string token, params string[] args) =>
        ChildProcess.Admin([.. args, "--endpoint", $"http://127.0.0.1:{daemon.Port}", "--token-file", NewFile(token)]);

    private static ChildProcess.Result Succeeded(ChildProcess.Result result)
    {
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stderr}");
        return result;
    }

    private static JsonElement Json(ChildProcess.Result result) => JsonDocument.Parse(Succeeded(result).Stdout).RootElement;

    [Fact]
    public async Task Wallet_address_and_signing_verbs_answer_as_the_api_does_in_text_and_json()
    {
        var created = Json(Admin(daemon.AdminToken, "wallet", "create", "--name", "cli-api", "--no-backup", "--json"));
        var wallet = created.GetProperty("walletId").GetString()!;
        Assert.Equal("WALLET_BACKUP_NONE_ACKNOWLEDGED", created.GetProperty("backup").GetString());
        // Messages need raw signing allowed by the wallet's policy.
        await daemon.Policy.SetPolicyAsync(new SetPolicyRequest
        {
            WalletId = wallet, Document = """{ "schema": "custody-policy/v1", "principals": ["signer-1"], "chains": { "eth": { "rawSigning": true, "assets": { "native": {} } } } }""",
        }, DaemonFixture.Bearer(daemon.AdminToken));
        var shown = Succeeded(Admin(daemon.AdminToken, "wallet", "show", "--wallet", wallet));
        Assert.Contains(wallet, shown.Stdout, StringComparison.Ordinal);
        Assert.Contains(Json(Admin(daemon.AdminToken, "wallet", "list", "--json")).GetProperty("wallets").EnumerateArray(),
            w => w.GetProperty("walletId").GetString() == wallet);

        var derived = Json(Admin(daemon.SignerToken, "address", "derive", "--wallet", wallet, "--chain", "eth", "--index", "3", "--json"));
        var api = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet, Chain = "eth", Index = 3 }, DaemonFixture.Bearer(daemon.SignerToken));
        Assert.Equal(api.Address, derived.GetProperty("address").GetString());

        // A personal message: the same key signs the same bytes to the same (RFC 6979) signature as the API.
        var message = NewFile("custody-admin signs this", ".txt");
        var signedText = Succeeded(Admin(daemon.SignerToken, "sign", "message", "--wallet", wallet, "--chain", "eth", "--file", message));
        var viaApi = await daemon.Signing.SignMessageAsync(new SignMessageRequest
        {
            RequestId = "api-" + Guid.NewGuid().ToString("N"), WalletId = wallet, Chain = "eth",
            PersonalMessage = Google.Protobuf.ByteString.CopyFromUtf8("custody-admin signs this"),
        }, DaemonFixture.Bearer(daemon.SignerToken));
        Assert.Equal(viaApi.Signature, signedText.Stdout.Trim());
        Assert.Contains($"by {viaApi.SignerAddress}", signedText.Stderr, StringComparison.Ordinal);

        var payload = NewFile(EvmPayloads.Eip1559(1), ".hex");
        var tx = Json(Admin(daemon.SignerToken, "sign", "tx", "--wallet", wallet, "--chain", "eth", "--file", payload, "--request-id", "cli-tx-1", "--json"));
        Assert.StartsWith("0x", tx.GetProperty("signedPayload").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(tx.GetProperty("policyRule").GetString()));
        // The same request id is a retry: the stored reply, byte for byte.
        var again = Json(Admin(daemon.SignerToken, "sign", "tx", "--wallet", wallet, "--chain", "eth", "--file", payload, "--request-id", "cli-tx-1", "--json"));
        Assert.Equal(tx.GetRawText(), again.GetRawText());
    }

    [Fact]
    public async Task A_p256_approver_made_with_keygen_approves_and_rejects_and_once_revoked_cannot()
    {
        var approver = "cli-p256-" + Guid.NewGuid().ToString("N")[..8];
        var keyFile = Path.Combine(dir.FullName, "approver.pem");
        var keygen = Succeeded(ChildProcess.Admin(["approver", "keygen", "--algorithm", "p256", "--out", keyFile]));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(keyFile));
        var publicKey = keygen.Stdout.Trim();
        Assert.DoesNotContain(File.ReadAllText(keyFile).Split('\n')[1], keygen.Stdout + keygen.Stderr, StringComparison.Ordinal);
        Succeeded(Admin(daemon.AdminToken, "approver", "register", "--id", approver, "--algorithm", "p256", "--public-key", publicKey));
        var approverToken = daemon.NewToken(approver, Roles.Approver, WalletScope.All);

        var wallet = (await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "cli-approvals", Kind = WalletKind.Hd, Backup = WalletBackup.NoneAcknowledged },
            DaemonFixture.Bearer(daemon.AdminToken))).WalletId;
        await daemon.Policy.SetPolicyAsync(new SetPolicyRequest
        {
            WalletId = wallet,
            Document = $$"""
                { "schema": "custody-policy/v1", "principals": ["signer-1"],
                  "approvals": { "required": 1, "approvers": ["{{approver}}"], "expiry": "1h" },
                  "chains": { "eth": { "assets": { "native": { "approvalAbove": "1000000000000000" } } } } }
                """,
        }, DaemonFixture.Bearer(daemon.AdminToken));

        async Task<string> ParkAsync(ulong nonce)
        {
            var refused = await Errors.RefusedAsync(StatusCode.FailedPrecondition, "APPROVAL_REQUIRED", () => daemon.Signing.SignTransactionAsync(
                new SignTransactionRequest { RequestId = $"cli-park-{nonce}-{wallet}", WalletId = wallet, Chain = "eth", Payload = EvmPayloads.Eip1559(nonce) },
                DaemonFixture.Bearer(daemon.SignerToken)));
            return refused.Metadata["request_digest"];
        }
        var first = await ParkAsync(1);
        var second = await ParkAsync(2);

        var waiting = Json(Admin(approverToken, "requests", "list", "--wallet", wallet, "--json")).GetProperty("requests").EnumerateArray()
            .Select(r => r.GetProperty("requestDigest").GetString()).ToList();
        Assert.Equal(new[] { first, second }.Order(), waiting.Order());
        var shown = Json(Admin(approverToken, "requests", "show", "--digest", first, "--json"));
        Assert.StartsWith("custody-approval-v1\nrequest:" + first, shown.GetProperty("approveStatement").GetString(), StringComparison.Ordinal);

        var approved = Succeeded(Admin(approverToken, "requests", "approve", "--digest", first, "--key-file", keyFile));
        Assert.StartsWith("Recorded: 1 of 1 approvals", approved.Stdout, StringComparison.Ordinal);
        var signed = await daemon.Signing.SignTransactionAsync(
            new SignTransactionRequest { RequestId = $"cli-park-1-{wallet}", WalletId = wallet, Chain = "eth", Payload = EvmPayloads.Eip1559(1) },
            DaemonFixture.Bearer(daemon.SignerToken));
        Assert.Equal("approvals", signed.PolicyRule);

        Succeeded(Admin(approverToken, "requests", "reject", "--digest", second, "--key-file", keyFile));
        var rejected = await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED", () => daemon.Signing.SignTransactionAsync(
            new SignTransactionRequest { RequestId = $"cli-park-2-{wallet}", WalletId = wallet, Chain = "eth", Payload = EvmPayloads.Eip1559(2) },
            DaemonFixture.Bearer(daemon.SignerToken)));
        Assert.Equal("approvals", rejected.Metadata["rule"]);

        Assert.Equal($"revoked {approver}", Succeeded(Admin(daemon.AdminToken, "approver", "revoke", "--id", approver)).Stdout.Trim());
        var third = await ParkAsync(3);
        var afterRevoke = Admin(approverToken, "requests", "approve", "--digest", third, "--key-file", keyFile);
        Assert.False(afterRevoke.ExitCode == 0 && afterRevoke.Stdout.StartsWith("Recorded", StringComparison.Ordinal), afterRevoke.Stdout + afterRevoke.Stderr);
    }

    [Fact]
    public async Task Account_verbs_define_show_list_and_derive_as_the_api_does()
    {
        var wallet = Json(Admin(daemon.AdminToken, "wallet", "create", "--name", "cli-multisig", "--no-backup", "--json")).GetProperty("walletId").GetString()!;
        var cosigner = NBitcoin.ExtKey.CreateFromSeed(new byte[32]);
        var key = $"[{cosigner.GetPublicKey().GetHDFingerPrint()}/48h/0h/0h/2h]{cosigner.Derive(new NBitcoin.KeyPath("48'/0'/0'/2'")).Neuter().ToString(NBitcoin.Network.Main)}";
        var created = Succeeded(Admin(daemon.AdminToken, "account", "create", "--wallet", wallet, "--name", "vault", "--chain", "btc", "--threshold", "2", "--cosigner", key));
        var descriptor = created.Stdout.Trim();
        Assert.StartsWith("wsh(sortedmulti(2,", descriptor, StringComparison.Ordinal);
        Assert.Contains("our key: [", created.Stderr, StringComparison.Ordinal);

        // The same descriptor imported under another name is the same account.
        Succeeded(Admin(daemon.AdminToken, "account", "create", "--wallet", wallet, "--name", "copy", "--chain", "btc", "--descriptor", descriptor));
        Assert.Equal(descriptor, Succeeded(Admin(daemon.SignerToken, "account", "show", "--wallet", wallet, "--name", "copy")).Stdout.Trim());
        Assert.Equal(2, Json(Admin(daemon.SignerToken, "account", "list", "--wallet", wallet, "--json")).GetProperty("accounts").GetArrayLength());
        var address = Succeeded(Admin(daemon.SignerToken, "account", "address", "--wallet", wallet, "--name", "vault", "--change", "--index", "4")).Stdout.Trim();
        var api = await daemon.Wallets.DeriveAccountAddressAsync(new DeriveAccountAddressRequest { WalletId = wallet, Name = "copy", Change = true, Index = 4 },
            DaemonFixture.Bearer(daemon.SignerToken));
        Assert.Equal(api.Address, address);
        // A refusal names the field.
        var refused = Admin(daemon.AdminToken, "account", "create", "--wallet", wallet, "--name", "vault", "--chain", "btc", "--descriptor", descriptor);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("INVALID_ARGUMENT", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("name", refused.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_line_completes_suggests_and_names_an_unreachable_daemon()
    {
        var completion = Succeeded(ChildProcess.Admin(["completion", "bash"]));
        Assert.Contains("complete", completion.Stdout, StringComparison.Ordinal);
        Assert.Contains("custody-admin", completion.Stdout, StringComparison.Ordinal);

        var typo = ChildProcess.Admin(["wallet", "lsit"]);
        Assert.NotEqual(0, typo.ExitCode);
        Assert.Contains("did you mean 'list'?", typo.Stderr, StringComparison.Ordinal);

        var port = FreePort.Next(); // nothing listens there
        var unreachable = ChildProcess.Admin(["wallet", "list", "--endpoint", $"http://127.0.0.1:{port}", "--token-file", NewFile(daemon.AdminToken)]);
        Assert.Equal(1, unreachable.ExitCode);
        Assert.StartsWith($"error: cannot reach custodyd at http://127.0.0.1:{port}", unreachable.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", unreachable.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(daemon.AdminToken, unreachable.Stdout + unreachable.Stderr, StringComparison.Ordinal);
    }
}
