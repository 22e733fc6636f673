using Custody.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class MessageSigningTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private Metadata Signer => DaemonFixture.Bearer(daemon.SignerToken);

    private async Task<Wallet> NewHdWalletAsync(string name) =>
        await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = name, Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.AdminToken));

    /// <summary>EIP-712 "Mail" example domain (chainId 1), from the EIP.</summary>
    private const string MailTypedData = """
        {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
        "Person":[{"name":"name","type":"string"},{"name":"wallet","type":"address"}],
        "Mail":[{"name":"from","type":"Person"},{"name":"to","type":"Person"},{"name":"contents","type":"string"}]},
        "primaryType":"Mail",
        "domain":{"name":"Ether Mail","version":"1","chainId":1,"verifyingContract":"0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
        "message":{"from":{"name":"Cow","wallet":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},"to":{"name":"Bob","wallet":"0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},"contents":"Hello, Bob!"}}
        """;

    [Fact]
    public async Task A_policy_without_raw_signing_refuses_messages_and_the_decision_is_audited()
    {
        var wallet = await NewHdWalletAsync("messages");
        var denied = await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED", () => daemon.Signing.SignMessageAsync(new SignMessageRequest
        {
            RequestId = "msg-1", WalletId = wallet.WalletId, Chain = "eth", PersonalMessage = ByteString.CopyFromUtf8("log in to example.com"),
        }, Signer));
        Assert.Equal("raw-signing", denied.Metadata["rule"]);
        await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED", () => daemon.Signing.SignMessageAsync(new SignMessageRequest
        {
            RequestId = "msg-2", WalletId = wallet.WalletId, Chain = "eth", TypedDataJson = MailTypedData,
        }, Signer));

        var decisions = await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { WalletId = wallet.WalletId, Action = "sign.message" },
            DaemonFixture.Bearer(daemon.AuditorToken));
        Assert.Equal(2, decisions.Records.Count);
        Assert.All(decisions.Records, r => Assert.Equal("Deny", r.Decision));
        // The EIP-712 digest of the Mail example, as the EIP gives it, is what the audit names.
        Assert.Equal("be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2", decisions.Records[1].RequestDigest);
    }

    [Fact]
    public async Task Malformed_message_requests_name_the_field()
    {
        var wallet = await NewHdWalletAsync("bad-messages");
        async Task<string> Field(SignMessageRequest request) =>
            (await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => daemon.Signing.SignMessageAsync(request, Signer))).Metadata["field"];

        Assert.Equal("message", await Field(new SignMessageRequest { RequestId = "m-1", WalletId = wallet.WalletId, Chain = "eth" }));
        Assert.Equal("chain", await Field(new SignMessageRequest { RequestId = "m-2", WalletId = wallet.WalletId, Chain = "btc", PersonalMessage = ByteString.CopyFromUtf8("x") }));
        Assert.Equal("typed_data_json.domain.chainId", await Field(new SignMessageRequest { RequestId = "m-3", WalletId = wallet.WalletId, Chain = "evm:137", TypedDataJson = MailTypedData }));
        Assert.False(string.IsNullOrEmpty(await Field(new SignMessageRequest { RequestId = "m-4", WalletId = wallet.WalletId, Chain = "eth", TypedDataJson = "{\"types\":" })));
    }

    private async Task<Wallet> NewWalletWithRawSigningAsync(string name, string allowNotes = "[]")
    {
        var wallet = await NewHdWalletAsync(name);
        await daemon.Policy.SetPolicyAsync(new SetPolicyRequest
        {
            WalletId = wallet.WalletId,
            Document = $$"""{ "schema": "custody-policy/v1", "principals": ["signer-1"], "chains": { "eth": { "rawSigning": true, "allowNotes": {{allowNotes}} } } }""",
        }, DaemonFixture.Bearer(daemon.AdminToken));
        return wallet;
    }

    private static string Id() => "msg-" + Guid.NewGuid().ToString("N");

    // A domain without chainId makes a signature that every chain accepts: the decoder reports it as a
    // note, and like any note it refuses unless the chain's allowNotes lists it.
    [Fact]
    public async Task Typed_data_without_a_chain_id_is_signed_only_when_allowNotes_lists_it()
    {
        var domainless = MailTypedData.Replace("\"chainId\":1,", "", StringComparison.Ordinal)
            .Replace("{\"name\":\"chainId\",\"type\":\"uint256\"},", "", StringComparison.Ordinal);
        Assert.DoesNotContain("chainId", domainless, StringComparison.Ordinal);
        var strict = await NewWalletWithRawSigningAsync("domainless-refused");
        var denied = await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED", () => daemon.Signing.SignMessageAsync(
            new SignMessageRequest { RequestId = Id(), WalletId = strict.WalletId, Chain = "eth", TypedDataJson = domainless }, Signer));
        Assert.Equal("notes", denied.Metadata["rule"]);
        // The same wallet signs typed data bound to its chain, and refuses another chain's outright.
        Assert.Equal("raw-signing", (await daemon.Signing.SignMessageAsync(
            new SignMessageRequest { RequestId = Id(), WalletId = strict.WalletId, Chain = "eth", TypedDataJson = MailTypedData }, Signer)).PolicyRule);
        var other = await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () => daemon.Signing.SignMessageAsync(
            new SignMessageRequest { RequestId = Id(), WalletId = strict.WalletId, Chain = "evm:137", TypedDataJson = MailTypedData }, Signer));
        Assert.Equal("typed_data_json.domain.chainId", other.Metadata["field"]);

        var lenient = await NewWalletWithRawSigningAsync("domainless-allowed", """["eip712:no-chain-id"]""");
        var reply = await daemon.Signing.SignMessageAsync(
            new SignMessageRequest { RequestId = Id(), WalletId = lenient.WalletId, Chain = "eth", TypedDataJson = domainless }, Signer);
        Assert.Equal("raw-signing", reply.PolicyRule);
        var digest = Convert.FromHexString(reply.Digest[2..]);
        Assert.Equal(reply.SignerAddress, Custody.Core.Chains.Evm.EvmMessages.RecoverAddress(digest, Convert.FromHexString(reply.Signature[2..])));
    }

    // "\ud800" is how a lone surrogate arrives: protobuf strings are UTF-8 on the wire, JSON escapes are not checked by it.
    [Fact]
    public async Task A_lone_surrogate_in_typed_data_is_invalid_argument_naming_the_field()
    {
        var wallet = await NewHdWalletAsync("surrogates");
        async Task<string> Field(string typedData) => (await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () =>
            daemon.Signing.SignMessageAsync(new SignMessageRequest { RequestId = Id(), WalletId = wallet.WalletId, Chain = "eth", TypedDataJson = typedData }, Signer)))
            .Metadata["field"];

        Assert.Equal("typed_data_json.message.contents", await Field(MailTypedData.Replace("Hello, Bob!", "\\ud800", StringComparison.Ordinal)));
        Assert.Equal("typed_data_json.message.from", await Field(MailTypedData.Replace("\"name\":\"Cow\"", "\"\\udc00\":\"Cow\"", StringComparison.Ordinal)));
        Assert.Equal("typed_data_json.types", await Field(MailTypedData.Replace("\"Person\":", "\"Person\\ud800\":", StringComparison.Ordinal)));
    }
}
