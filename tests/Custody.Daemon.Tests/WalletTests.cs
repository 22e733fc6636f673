using System.Text.Json;
using Custody.Core.Chains.Evm;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
using Custody.V1;
using Grpc.Core;

namespace Custody.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public class WalletTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private Metadata Admin => DaemonFixture.Bearer(daemon.AdminToken);

    private Metadata Signer => DaemonFixture.Bearer(daemon.SignerToken);

    [Fact]
    public async Task An_hd_wallet_is_created_from_an_hsm_seed_and_can_be_read_back()
    {
        var created = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "treasury", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        Assert.StartsWith("w_", created.WalletId, StringComparison.Ordinal);
        Assert.Equal(WalletKind.Hd, created.Kind);
        Assert.Matches("^[0-9a-f]{8}$", created.MasterFingerprint);
        Assert.Empty(created.PublicKey);

        var read = await daemon.Wallets.GetWalletAsync(new GetWalletRequest { WalletId = created.WalletId }, Signer);
        Assert.Equal(created, read);
        var all = await daemon.Wallets.ListWalletsAsync(new ListWalletsRequest { PageSize = 500 }, Signer);
        Assert.Contains(all.Wallets, w => w.WalletId == created.WalletId);

        var other = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "treasury", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        Assert.NotEqual(created.MasterFingerprint, other.MasterFingerprint); // a new seed each time
    }

    [Fact]
    public async Task Addresses_of_a_known_seed_match_the_published_vectors()
    {
        var walletId = await KnownSeed.ImportAsync(daemon, "vectors");
        async Task<DeriveAddressResponse> At(string chain, uint index, AddressKind kind = AddressKind.Unspecified, bool change = false) =>
            await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = walletId, Chain = chain, Index = index, Kind = kind, Change = change }, Signer);

        // BIP84 (the default for btc), its change branch, BIP86, and BIP44 via SLIP-132.
        var first = await At("btc", 0);
        Assert.Equal("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", first.Address);
        Assert.Equal("m/84'/0'/0'/0/0", first.DerivationPath);
        Assert.Equal("0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c", first.PublicKey);
        Assert.Equal(AddressKind.P2Wpkh, first.Kind);
        Assert.Equal("bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g", (await At("btc", 1)).Address);
        Assert.Equal("bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el", (await At("btc", 0, change: true)).Address);
        Assert.Equal("bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr", (await At("btc", 0, AddressKind.P2Tr)).Address);
        Assert.Equal("1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA", (await At("btc", 0, AddressKind.P2Pkh)).Address);

        // The account xpub is BIP84's zpub in the network's standard version.
        var xpub = await daemon.Wallets.GetAccountXpubAsync(new GetAccountXpubRequest { WalletId = walletId, Chain = "btc", Kind = AddressKind.P2Wpkh }, Signer);
        Assert.Equal("m/84'/0'/0'", xpub.DerivationPath);
        var zpub = ExtendedPublicKey.Parse("zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs");
        Assert.Equal(zpub.ToBase58(ExtendedKeyVersion.Xpub), xpub.Xpub);
    }

    [Theory]
    [InlineData("btc", "m/84'/0'/0'/0/3")]
    [InlineData("eth", "m/44'/60'/0'/0/3")]
    [InlineData("trx", "m/44'/195'/0'/0/3")]
    [InlineData("sol", "m/44'/501'/3'/0'")]
    [InlineData("ltc", "m/84'/2'/0'/0/3")]
    public async Task Addresses_equal_what_the_offline_custody_admin_derive_prints(string chain, string path)
    {
        var walletId = await KnownSeed.ImportAsync(daemon, "offline-" + chain);
        var online = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = walletId, Chain = chain, Index = 3 }, Signer);
        Assert.Equal(path, online.DerivationPath);

        var offline = ChildProcess.AdminSucceeds("derive", "--mnemonic-file", KnownSeed.WriteMnemonicFile(daemon.DataDir), "--chain", chain, "--path", path, "--json");
        using var json = JsonDocument.Parse(offline.Stdout);
        Assert.Equal(json.RootElement.GetProperty("address").GetString(), online.Address);
        Assert.Equal(json.RootElement.GetProperty("publicKey").GetString(), online.PublicKey);
    }

    [Fact]
    public async Task Next_unused_hands_out_each_index_once_and_moves_past_explicit_ones()
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "deposits", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        async Task<uint> Next() => (await daemon.Wallets.DeriveAddressAsync(
            new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", NextUnused = true }, Signer)).Index;

        Assert.Equal(0u, await Next());
        Assert.Equal(1u, await Next());
        var explicitOne = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", Index = 10 }, Signer);
        Assert.Equal(11u, await Next());

        // Every address follows from the account xpub alone.
        var xpub = await daemon.Wallets.GetAccountXpubAsync(new GetAccountXpubRequest { WalletId = wallet.WalletId, Chain = "eth" }, Signer);
        var offline = ExtendedPublicKey.Parse(xpub.Xpub).Derive(KeyPath.Parse("m/0/10"));
        Assert.Equal(EvmAddress.FromPublicKey(offline.PublicKey), explicitOne.Address);
    }

    [Fact]
    public async Task An_hsm_native_wallet_has_one_key_at_m()
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(
            new CreateWalletRequest { Name = "hot", Kind = WalletKind.HsmNative, Curve = KeyCurve.Secp256K1, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        Assert.Equal(66, wallet.PublicKey.Length);
        Assert.Empty(wallet.MasterFingerprint);

        var address = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", NextUnused = true }, Signer);
        Assert.Equal("m", address.DerivationPath);
        Assert.Equal(EvmAddress.FromPublicKey(Convert.FromHexString(wallet.PublicKey)), address.Address);

        var info = await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () =>
            daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", Index = 1 }, Signer));
        Assert.Equal("index", info.Metadata["field"]);
        await Errors.RefusedAsync(StatusCode.FailedPrecondition, "WRONG_CURVE", () =>
            daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "sol", Index = 0 }, Signer));

        var ed = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "sol-hot", Kind = WalletKind.HsmNative, Curve = KeyCurve.Ed25519, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        var solana = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = ed.WalletId, Chain = "sol", Index = 0 }, Signer);
        Assert.Equal(Custody.Core.Chains.Solana.SolanaAddress.ToText(Convert.FromHexString(ed.PublicKey)), solana.Address);
    }

    [Fact]
    public async Task Bad_requests_name_the_field()
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "checks", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        async Task<string> Field(Func<AsyncUnaryCall<DeriveAddressResponse>> call) =>
            (await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", call)).Metadata["field"];

        Assert.Equal("chain", await Field(() => daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "dogecoin-classic", Index = 0 }, Signer)));
        Assert.Equal("selector", await Field(() => daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth" }, Signer)));
        Assert.Equal("index", await Field(() => daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", Index = 1u << 31 }, Signer)));
        Assert.Equal("kind", await Field(() => daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", Index = 0, Kind = AddressKind.P2Tr }, Signer)));
        Assert.Equal("kind", await Field(() => daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "doge", Index = 0, Kind = AddressKind.P2Wpkh }, Signer)));
        await Errors.RefusedAsync(StatusCode.NotFound, "NOT_FOUND", () =>
            daemon.Wallets.GetWalletAsync(new GetWalletRequest { WalletId = "w_000000000000000000000000" }, Signer));
        var create = await Errors.RefusedAsync(StatusCode.InvalidArgument, "INVALID_ARGUMENT", () =>
            daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "n", Kind = WalletKind.HsmNative, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin));
        Assert.Equal("curve", create.Metadata["field"]);
    }
}
