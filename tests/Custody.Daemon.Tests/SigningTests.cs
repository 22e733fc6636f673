using Custody.Core.Ledger;
using System.Globalization;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Hd;
using Custody.V1;
using Google.Rpc;
using Grpc.Core;

using WalletKind = Custody.V1.WalletKind;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class SigningTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private Metadata Admin => DaemonFixture.Bearer(daemon.AdminToken);

    private Metadata Signer => DaemonFixture.Bearer(daemon.SignerToken);

    private async Task<Wallet> NewHdWalletAsync(string name) =>
        await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = name, Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);

    private static string NewRequestId() => "req-" + Guid.NewGuid().ToString("N");

    [Fact]
    public async Task An_eip1559_transfer_is_signed_by_the_key_at_the_signer_path()
    {
        var wallet = await NewHdWalletAsync("eth-hot");
        var address = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", Account = 1, Index = 4 }, Signer);

        var reply = await daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = NewRequestId(),
            WalletId = wallet.WalletId,
            Chain = "eth",
            Payload = EvmPayloads.Eip1559(nonce: 7),
            Signer = new V1.Signer { Account = 1, Index = 4 },
        }, Signer);

        Assert.Equal(address.Address, EvmPayloads.RecoverEvmSigner(reply.SignedPayload));
        Assert.Equal("0x" + Convert.ToHexStringLower(Custody.Core.Crypto.Hashes.Keccak256(Convert.FromHexString(reply.SignedPayload[2..]))), reply.TxId);
        var output = Assert.Single(reply.Intent.Outputs);
        Assert.Equal("10000000000000000", output.Amount);
        Assert.Equal(Custody.Core.Chains.Evm.EvmAddress.Normalize(EvmPayloads.Recipient), output.Destination);
        Assert.Equal("eth", reply.Intent.Chain);
        Assert.Equal(reply.Audit.Sequence, reply.Audit.ResultSequence);
        Assert.Equal("allow", reply.PolicyRule);
    }

    [Fact]
    public async Task An_hsm_native_key_signs_inside_the_hsm()
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "native", Kind = WalletKind.HsmNative, Curve = KeyCurve.Secp256K1, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        var address = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "evm:137", Index = 0 }, Signer);
        for (var nonce = 0ul; nonce < 4; nonce++) // the HSM's S is normalised and the recovery id found, every time
        {
            var reply = await daemon.Signing.SignTransactionAsync(new SignTransactionRequest
            {
                RequestId = NewRequestId(), WalletId = wallet.WalletId, Chain = "evm:137", Payload = EvmPayloads.Eip1559(nonce, chainId: 137),
            }, Signer);
            Assert.Equal(address.Address, EvmPayloads.RecoverEvmSigner(reply.SignedPayload));
        }
    }

    [Fact]
    public async Task A_busy_wallet_is_unsealed_once_and_with_the_ring_cache_off_for_every_signature()
    {
        async Task<(double Unseals, double Signatures)> SignThreeAsync(string name)
        {
            var wallet = await NewHdWalletAsync(name);
            // The client derives the signer's address first (to fund it): that stores the account xpub, the one
            // unseal an account needs for public keys; after it, the signer's key is known without the seed.
            await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", Index = 0 }, Signer);
            var (unseals, signatures) = (await Metrics.UnsealsAsync(daemon), await Metrics.SignaturesAsync(daemon));
            for (var nonce = 1ul; nonce <= 3; nonce++)
                await daemon.Signing.SignTransactionAsync(new SignTransactionRequest { RequestId = NewRequestId(), WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(nonce) }, Signer);
            return (await Metrics.UnsealsAsync(daemon) - unseals, await Metrics.SignaturesAsync(daemon) - signatures);
        }

        Assert.Equal((1, 3), await SignThreeAsync("cached"));
        await daemon.RestartAsync("--Hsm:KeyRingCacheSeconds=0");
        try
        {
            Assert.Equal((3, 3), await SignThreeAsync("uncached"));
        }
        finally
        {
            await daemon.RestartAsync();
        }
    }

    [Fact]
    public async Task A_retry_with_the_same_id_gets_the_same_answer_without_signing_again()
    {
        var wallet = await NewHdWalletAsync("retry");
        var request = new SignTransactionRequest { RequestId = NewRequestId(), WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(1) };
        var first = await daemon.Signing.SignTransactionAsync(request, Signer);
        var signatures = await Metrics.SignaturesAsync(daemon);

        var call = daemon.Signing.SignTransactionAsync(request, Signer);
        var second = await call;
        Assert.Equal(first, second);
        Assert.Equal("true", (await call.ResponseHeadersAsync).GetValue(Custody.Daemon.Services.SigningService.ReplayedHeader));
        Assert.Equal(signatures, await Metrics.SignaturesAsync(daemon)); // nothing was signed

        // The same id with another payload is refused, and so is the same payload for another wallet.
        var info = await Errors.RefusedAsync(StatusCode.AlreadyExists, "REQUEST_ID_REUSED",
            () => daemon.Signing.SignTransactionAsync(new SignTransactionRequest(request) { Payload = EvmPayloads.Eip1559(2) }, Signer));
        Assert.Equal(request.RequestId, info.Metadata["request_id"]);
        await Errors.RefusedAsync(StatusCode.AlreadyExists, "REQUEST_ID_REUSED",
            () => daemon.Signing.SignTransactionAsync(new SignTransactionRequest(request) { Signer = new V1.Signer { Index = 1 } }, Signer));

        // Request ids belong to a principal: another signer may use the same id for its own request.
        var other = daemon.NewToken("signer-2", Roles.Signer, WalletScope.All);
        var theirs = await daemon.Signing.SignTransactionAsync(new SignTransactionRequest(request) { Payload = EvmPayloads.Eip1559(3) }, DaemonFixture.Bearer(other));
        Assert.NotEqual(first.SignedPayload, theirs.SignedPayload);
    }

    [Theory]
    [InlineData("btc", "this is not base64!")]
    [InlineData("btc", "cHNidP8=")]
    [InlineData("eth", "0x02zz")]
    [InlineData("eth", "0x02c0")]
    [InlineData("eth", "")]
    [InlineData("trx", "0a02")]
    [InlineData("trx", "not hex")]
    [InlineData("sol", "AQID")]
    [InlineData("sol", "***")]
    public async Task Malformed_payloads_are_invalid_arguments_naming_the_field(string chain, string payload)
    {
        var wallet = await NewHdWalletAsync("malformed-" + chain);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = NewRequestId(), WalletId = wallet.WalletId, Chain = chain, Payload = payload,
        }, Signer));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        var status = e.GetRpcStatus()!;
        var info = status.GetDetail<ErrorInfo>();
        var violation = Assert.Single(status.GetDetail<BadRequest>().FieldViolations);
        Assert.False(string.IsNullOrEmpty(info.Metadata["field"]));
        Assert.Equal(info.Metadata["field"], violation.Field);
        Assert.False(string.IsNullOrEmpty(violation.Description));
    }

    [Fact]
    public async Task Requests_that_are_not_transfers_or_lack_an_id_are_refused()
    {
        var wallet = await NewHdWalletAsync("refusals");
        var missingId = await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT",
            () => daemon.Signing.SignTransactionAsync(new SignTransactionRequest { WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(1) }, Signer));
        Assert.Equal("request_id", missingId.Metadata["field"]);

        await Errors.RefusedAsync(StatusCode.NotFound, "NOT_FOUND",
            () => daemon.Signing.SignTransactionAsync(new SignTransactionRequest
            {
                RequestId = NewRequestId(), WalletId = "w_000000000000000000000000", Chain = "eth", Payload = EvmPayloads.Eip1559(1),
            }, Signer));

        // An undecoded contract call: the global policy lists no contract calls, so it is refused by rule.
        var call = "0x" + Convert.ToHexStringLower(new Custody.Core.Chains.Evm.EvmTransaction
        {
            Type = Custody.Core.Chains.Evm.EvmTransactionType.DynamicFee, ChainId = 1, GasLimit = 100_000, MaxFeePerGas = 1, MaxPriorityFeePerGas = 1,
            To = Custody.Core.Chains.Evm.EvmAddress.Parse(EvmPayloads.Recipient), Data = new byte[] { 0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 1 },
        }.EncodeUnsigned());
        var denied = await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED",
            () => daemon.Signing.SignTransactionAsync(new SignTransactionRequest { RequestId = NewRequestId(), WalletId = wallet.WalletId, Chain = "eth", Payload = call }, Signer));
        Assert.Equal("contract-call", denied.Metadata["rule"]);
    }

    [Fact]
    public async Task An_oversized_request_is_refused_by_grpc_before_it_is_read()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = NewRequestId(), WalletId = "w_x", Chain = "eth", Payload = "0x" + new string('0', 100_000),
        }, Signer));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
    }
}
