using System.Globalization;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Hd;
using Custody.V1;
using Grpc.Core;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class BitcoinSigningTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private Metadata Signer => DaemonFixture.Bearer(daemon.SignerToken);

    private static string NewRequestId() => "req-" + Guid.NewGuid().ToString("N");

    private async Task<Wallet> NewHdWalletAsync(string name) =>
        await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = name, Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, DaemonFixture.Bearer(daemon.AdminToken));

    [Fact]
    public async Task A_psbt_input_of_the_wallet_is_signed_and_verifies_as_a_node_would_check_it()
    {
        var wallet = await NewHdWalletAsync("btc-cold");
        var address = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "btc", Index = 2 }, Signer);
        var (psbt, spent) = BitcoinPayloads.P2wpkhSpend(uint.Parse(wallet.MasterFingerprint, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            KeyPath.Parse(address.DerivationPath), Convert.FromHexString(address.PublicKey), 100_000, "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", 90_000);

        var reply = await daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = NewRequestId(), WalletId = wallet.WalletId, Chain = "btc", Payload = psbt,
        }, Signer);

        var signed = PartiallySignedTransaction.ParseBase64(reply.SignedPayload);
        Assert.True(signed.IsFinalized);
        var tx = signed.ExtractTransaction();
        Assert.True(BitcoinPayloads.P2wpkhInputVerifies(tx, 0, spent));
        Assert.Equal(tx.TxId, reply.TxId);
        Assert.Equal("10000", reply.Intent.Fee);
    }
}
