using System.Text.Json;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
using Custody.Core.Hd.Bip39;

namespace Custody.Core.Tests.Hd;

/// <summary>
/// BIP44/49/84/86 (and SLIP-132) examples for "abandon … about", and Trezor's "all … all"
/// fixtures for Ethereum, TRON and Solana: mnemonic → seed → path → key → address, end to end.
/// </summary>
public class Bip44FamilyExamplesTests
{
    private static readonly JsonElement Examples = VectorFile.Json("bip44-49-84-86-examples.json");
    private static readonly JsonElement Trezor = VectorFile.Json("trezor-all-mnemonic-addresses.json");

    private static ExtendedPrivateKey Master(string sentence, string passphrase = "")
    {
        using var mnemonic = Mnemonic.Parse(sentence);
        using var seed = mnemonic.ToSeed(passphrase);
        return ExtendedPrivateKey.FromSeed(seed.Span);
    }

    [Fact]
    public void Bip84_root_account_and_addresses()
    {
        var bip84 = Examples.GetProperty("bip84_mainnet");
        using var root = Master(Examples.Str("mnemonic"));
        var zpub = ExtendedKeyVersion.For(BitcoinNetwork.Mainnet, BitcoinAddressKind.P2wpkh);
        Assert.Same(ExtendedKeyVersion.Zpub, zpub);
        Assert.Equal(bip84.Str("root_zprv"), root.ToBase58(zpub));
        Assert.Equal(bip84.Str("root_zpub"), root.Neuter().ToBase58(zpub));
        var btc = ChainRegistry.Get("btc");
        var scheme = DerivationScheme.Default(btc);
        Assert.Equal(bip84.Str("account_path"), scheme.AccountPath(0).ToString());
        using var account = root.Derive(scheme.AccountPath(0));
        Assert.Equal(bip84.Str("account_zprv"), account.ToBase58(zpub));
        Assert.Equal(bip84.Str("account_zpub"), account.Neuter().ToBase58(zpub));

        using var parsed = ExtendedPrivateKey.Parse(bip84.Str("account_zprv"), out var version);
        Assert.Same(ExtendedKeyVersion.Zpub, version);
        Assert.Equal(account.PrivateKey.ToArray(), parsed.PrivateKey.ToArray());

        var expectedPaths = new[] { scheme.AddressPath(0), scheme.AddressPath(1), scheme.AddressPath(0, change: true) };
        var i = 0;
        foreach (var a in bip84.Items("addresses"))
        {
            var path = KeyPath.Parse(a.Str("path"));
            Assert.Equal(expectedPaths[i++], path);
            using var key = root.Derive(path);
            Assert.Equal(a.Str("public_key"), Convert.ToHexStringLower(key.PublicKey));
            Assert.Equal(a.Str("address"), ChainAddresses.Derive(btc, key.PublicKey, BitcoinFamily.KindOf(path)));
            Assert.Equal(a.Str("address"), ChainAddresses.Derive(btc, key.PublicKey)); // BIP84 is btc's default
            // The account xpub alone gives the same key: addresses without private material.
            var fromXpub = ExtendedPublicKey.Parse(bip84.Str("account_zpub")).Derive(KeyPath.FromIndexes(path.Indexes[3..]));
            Assert.Equal(a.Str("public_key"), Convert.ToHexStringLower(fromXpub.PublicKey));
        }
        Assert.Equal(3, i);
    }

    [Fact]
    public void Bip86_keys_and_taproot_addresses()
    {
        var bip86 = Examples.GetProperty("bip86_mainnet");
        using var root = Master(Examples.Str("mnemonic"));
        Assert.Equal(bip86.Str("root_xprv"), root.ToBase58(BitcoinNetwork.Mainnet));
        Assert.Equal(bip86.Str("root_xpub"), root.Neuter().ToBase58(BitcoinNetwork.Mainnet));
        var btc = ChainRegistry.Get("btc");
        var scheme = DerivationScheme.For(btc).Single(s => s.Purpose == 86);
        using var account = root.Derive(scheme.AccountPath(0));
        Assert.Equal(bip86.Str("account_xprv"), account.ToBase58(ExtendedKeyVersion.Xpub));
        Assert.Equal(bip86.Str("account_xpub"), account.Neuter().ToBase58(ExtendedKeyVersion.Xpub));
        foreach (var a in bip86.Items("addresses"))
        {
            var path = KeyPath.Parse(a.Str("path"));
            using var key = root.Derive(path);
            Assert.Equal(a.Str("xprv"), key.ToBase58(ExtendedKeyVersion.Xpub));
            Assert.Equal(a.Str("xpub"), key.Neuter().ToBase58(ExtendedKeyVersion.Xpub));
            Assert.Equal(a.Str("internal_key"), Convert.ToHexStringLower(key.PublicKey[1..]));
            Assert.Equal(BitcoinAddressKind.P2tr, BitcoinFamily.KindOf(path));
            Assert.Equal(a.Str("address"), ChainAddresses.Derive(btc, key.PublicKey, BitcoinAddressKind.P2tr));
        }
    }

    [Fact]
    public void Bip49_testnet_master_account_and_first_address()
    {
        var bip49 = Examples.GetProperty("bip49_testnet");
        using var root = Master(Examples.Str("mnemonic"));
        var upub = ExtendedKeyVersion.For(BitcoinNetwork.Testnet, BitcoinAddressKind.P2shP2wpkh);
        Assert.Same(ExtendedKeyVersion.Upub, upub);
        Assert.Equal(bip49.Str("master_key_uprv"), root.ToBase58(upub));
        var testnet = ChainRegistry.Get("btc-testnet");
        var scheme = DerivationScheme.For(testnet).Single(s => s.Purpose == 49);
        Assert.Equal(bip49.Str("account_path"), scheme.AccountPath(0).ToString());
        using var account = root.Derive(scheme.AccountPath(0));
        Assert.Equal(bip49.Str("account_xprv_uprv"), account.ToBase58(upub));
        Assert.Equal(bip49.Str("account_xpub_upub"), account.Neuter().ToBase58(upub));
        var receive = bip49.GetProperty("receive_0");
        Assert.Equal(receive.Str("path"), scheme.AddressPath(0).ToString());
        using var key = root.Derive(scheme.AddressPath(0));
        Assert.Equal(receive.Str("private_key_hex"), Convert.ToHexStringLower(key.PrivateKey));
        Assert.Equal(receive.Str("public_key_hex"), Convert.ToHexStringLower(key.PublicKey));
        Assert.Equal(receive.Str("address"), ChainAddresses.Derive(testnet, key.PublicKey, BitcoinAddressKind.P2shP2wpkh));
    }

    [Fact]
    public void Slip132_account_keys_and_first_addresses_including_BIP44()
    {
        using var root = Master(Examples.Str("mnemonic"));
        var btc = ChainRegistry.Get("btc");
        var count = 0;
        foreach (var v in Examples.Items("slip132_mainnet"))
        {
            var accountPath = KeyPath.Parse(v.Str("account_path"));
            var kind = BitcoinFamily.KindOf(accountPath)!.Value;
            var version = ExtendedKeyVersion.For(BitcoinNetwork.Mainnet, kind);
            using var account = root.Derive(accountPath);
            Assert.Equal(v.Str("account_xprv"), account.ToBase58(version));
            Assert.Equal(v.Str("account_xpub"), account.Neuter().ToBase58(version));
            using var first = root.Derive(KeyPath.Parse(v.Str("first_address_path")));
            Assert.Equal(v.Str("first_address"), ChainAddresses.Derive(btc, first.PublicKey, kind));
            count++;
        }
        Assert.Equal(3, count);
        // BIP44 on bitcoin: 1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA (SLIP-132's example)
        var bip44 = DerivationScheme.For(btc).Single(s => s.Purpose == 44);
        using var legacy = root.Derive(bip44.AddressPath(0));
        Assert.Equal("1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA", ChainAddresses.Derive(btc, legacy.PublicKey, bip44.AddressKind));
    }

    [Fact]
    public void Trezor_all_mnemonic_Ethereum_addresses()
    {
        using var root = Master(Trezor.Str("mnemonic"), Trezor.Str("passphrase"));
        var eth = ChainRegistry.Get("eth");
        var scheme = DerivationScheme.Default(eth);
        var checkedCount = 0;
        foreach (var v in Trezor.Items("ethereum"))
        {
            var path = KeyPath.Parse(v.Str("path"));
            using var key = root.Derive(path);
            Assert.Equal(v.Str("address"), ChainAddresses.Derive(eth, key.PublicKey));
            checkedCount++;
        }
        Assert.Equal(6, checkedCount);
        Assert.Equal("m/44'/60'/0'/0/100", scheme.AddressPath(100).ToString());
    }

    [Fact]
    public void Trezor_all_mnemonic_TRON_addresses()
    {
        using var root = Master(Trezor.Str("mnemonic"), Trezor.Str("passphrase"));
        var trx = ChainRegistry.Get("trx");
        var scheme = DerivationScheme.Default(trx);
        var count = 0;
        foreach (var v in Trezor.Items("tron"))
        {
            var path = KeyPath.Parse(v.Str("path"));
            var account = path[2] & ~KeyPath.HardenedBit;
            Assert.Equal(scheme.AddressPath(path[4], account), path);
            using var key = root.Derive(path);
            Assert.Equal(v.Str("address"), ChainAddresses.Derive(trx, key.PublicKey));
            count++;
        }
        Assert.Equal(5, count);
    }

    [Fact]
    public void Trezor_all_mnemonic_Solana_addresses()
    {
        using var mnemonic = Mnemonic.Parse(Trezor.Str("mnemonic"));
        using var seed = mnemonic.ToSeed(Trezor.Str("passphrase"));
        using var ring = new HdKeyRing(seed, KeyCurve.Ed25519);
        var sol = ChainRegistry.Get("sol");
        var scheme = DerivationScheme.Default(sol);
        Assert.Equal("m/44'/501'/0'/0'", scheme.AddressPath(0).ToString());
        Assert.Equal("m/44'/501'/1'/0'", scheme.AddressPath(1).ToString());
        foreach (var v in Trezor.Items("solana"))
            Assert.Equal(v.Str("address"), ChainAddresses.Derive(sol, ring.GetPublicKey(KeyPath.Parse(v.Str("path")))));
    }
}
