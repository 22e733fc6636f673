using Custody.V1;
using Grpc.Core;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class ResilienceTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private Metadata Signer => DaemonFixture.Bearer(daemon.SignerToken);

    private async Task<Wallet> NewHdWalletAsync(string name) =>
        await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = name, Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.AdminToken));

    /// <summary>
    /// The token goes away the way SoftHSM loses it: its directory disappears (as the HSM tests
    /// do it). Signing answers UNAVAILABLE at once, nothing is stored for the request id, and
    /// once the token is back the same request succeeds.
    /// </summary>
    [Fact]
    public async Task The_hsm_going_away_gives_unavailable_and_signing_recovers_when_it_is_back()
    {
        ExpectErrors("HSM unavailable");
        var wallet = await NewHdWalletAsync("hsm-away");
        var request = new SignTransactionRequest { RequestId = "away-1", WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(9) };
        await daemon.WithTokenAwayAsync(() => Errors.RefusedAsync(StatusCode.Unavailable, "HSM_UNAVAILABLE", () => daemon.Signing.SignTransactionAsync(request, Signer)));

        var reply = await Eventually.SucceedsAsync(async () => await daemon.Signing.SignTransactionAsync(request, Signer), TimeSpan.FromSeconds(15));
        var address = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", Index = 0 }, Signer);
        Assert.Equal(address.Address, EvmPayloads.RecoverEvmSigner(reply.SignedPayload));
        Assert.Contains(daemon.Logs.All, line => line.Contains("HSM unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Idempotency_survives_a_restart()
    {
        var wallet = await NewHdWalletAsync("restart");
        var request = new SignTransactionRequest { RequestId = "restart-1", WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(5) };
        var before = await daemon.Signing.SignTransactionAsync(request, Signer);

        await daemon.RestartAsync();

        var after = await daemon.Signing.SignTransactionAsync(request, Signer);
        Assert.Equal(before, after);
        await Errors.RefusedAsync(StatusCode.AlreadyExists, "REQUEST_ID_REUSED",
            () => daemon.Signing.SignTransactionAsync(new SignTransactionRequest(request) { Payload = EvmPayloads.Eip1559(6) }, Signer));
    }
}
