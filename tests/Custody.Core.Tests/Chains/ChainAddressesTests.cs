using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Tests.Chains;

public class ChainAddressesTests
{
    private static readonly byte[] KeyOne = Secp256k1.GetPublicKey(Convert.FromHexString("0000000000000000000000000000000000000000000000000000000000000001"));

    [Theory]
    [InlineData("btc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")] // BIP173: the key-hash of G
    [InlineData("eth", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")] // private key 1
    [InlineData("evm:137", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")]
    [InlineData("trx", "TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC")] // tronweb: private key 1
    public void Derives_each_family_through_one_door(string chainId, string expected)
    {
        Assert.Equal(expected, ChainAddresses.Derive(ChainRegistry.Get(chainId), KeyOne));
    }

    [Fact]
    public void Bitcoin_default_kind_follows_the_network()
    {
        Assert.StartsWith("ltc1q", ChainAddresses.Derive(ChainRegistry.Get("ltc"), KeyOne), StringComparison.Ordinal);
        Assert.StartsWith("D", ChainAddresses.Derive(ChainRegistry.Get("doge"), KeyOne), StringComparison.Ordinal);
        Assert.StartsWith("bcrt1q", ChainAddresses.Derive(ChainRegistry.Get("btc-regtest"), KeyOne), StringComparison.Ordinal);
    }

    [Fact]
    public void Refuses_what_a_family_lacks()
    {
        var e = Assert.Throws<InvalidInputException>(() => ChainAddresses.Derive(ChainRegistry.Get("doge"), KeyOne, BitcoinAddressKind.P2wpkh));
        Assert.Equal("kind", e.Field);
        Assert.Contains("dogecoin has no segwit", e.Message, StringComparison.Ordinal);
        var kindOnEth = Assert.Throws<InvalidInputException>(() => ChainAddresses.Derive(ChainRegistry.Get("eth"), KeyOne, BitcoinAddressKind.P2pkh));
        Assert.Equal("kind", kindOnEth.Field);
        Assert.Contains("address kinds apply to Bitcoin-family chains, not eth", kindOnEth.Message, StringComparison.Ordinal);
        Assert.Equal("publicKey", Assert.Throws<InvalidInputException>(() => ChainAddresses.Derive(ChainRegistry.Get("sol"), KeyOne)).Field);
        Assert.Equal("publicKey", Assert.Throws<InvalidInputException>(() => ChainAddresses.Derive(ChainRegistry.Get("btc"), new byte[32])).Field);
        Assert.Equal("publicKey", Assert.Throws<InvalidInputException>(() => ChainAddresses.Derive(ChainRegistry.Get("eth"), new byte[33])).Field);
    }

    [Theory]
    [InlineData("btc", " BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4 ", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")]
    [InlineData("eth", "0x7e5f4552091a69125d5dfcb7b8c2659029395bdf", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")]
    [InlineData("trx", "417e5f4552091a69125d5dfcb7b8c2659029395bdf", "TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC")]
    [InlineData("sol", "2KW2XRd9kwqet15Aha2oK3tYvd3nWbTFH1MBiRAv1BE1", "2KW2XRd9kwqet15Aha2oK3tYvd3nWbTFH1MBiRAv1BE1")]
    public void Normalize_gives_the_canonical_text(string chainId, string input, string canonical)
    {
        Assert.Equal(canonical, ChainAddresses.Normalize(ChainRegistry.Get(chainId), input));
    }

    [Theory]
    [InlineData("btc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "checksum")]
    [InlineData("btc-testnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "another network")]
    [InlineData("eth", "0x7E5F4552091A69125d5DfCb7b8C2659029395BdF", "EIP-55")]
    [InlineData("eth", "0x7e5f4552091a69125d5dfcb7b8c2659029395b", "40 hex digits")]
    [InlineData("trx", "TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HD", "checksum")]
    [InlineData("sol", "2KW2XRd9kwqet15Aha2oK3tYvd3nWbTFH1MBiRAv1BE", "32")]
    [InlineData("sol", "", "empty")]
    public void Normalize_says_what_is_wrong(string chainId, string input, string reason)
    {
        var e = Assert.Throws<InvalidInputException>(() => ChainAddresses.Normalize(ChainRegistry.Get(chainId), input));
        Assert.Equal("address", e.Field);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Derived_addresses_normalise_to_themselves_on_every_chain_and_kind()
    {
        var random = new Random(86);
        foreach (var chain in ChainRegistry.All)
        {
            for (var i = 0; i < 20; i++)
            {
                var seed = new byte[32];
                random.NextBytes(seed);
                byte[] pub;
                if (chain.Curve == KeyCurve.Ed25519)
                    pub = Ed25519.GetPublicKey(seed);
                else if (!Secp256k1.IsValidPrivateKey(seed)) continue;
                else pub = Secp256k1.GetPublicKey(seed);
                var kinds = chain.Family == BitcoinFamily.Instance
                    ? DerivationScheme.For(chain).Select(s => s.AddressKind)
                    : [null];
                foreach (var kind in kinds)
                {
                    var address = ChainAddresses.Derive(chain, pub, kind);
                    Assert.Equal(address, ChainAddresses.Normalize(chain, address));
                    var upper = chain.Family == BitcoinFamily.Instance && kind is BitcoinAddressKind.P2wpkh or BitcoinAddressKind.P2tr
                        ? address.ToUpperInvariant()
                        : address;
                    Assert.Equal(address, ChainAddresses.Normalize(chain, upper));
                }
            }
        }
    }

    [Fact]
    public void Derivation_schemes_per_chain()
    {
        string Purposes(string id) => string.Join(",", DerivationScheme.For(ChainRegistry.Get(id)).Select(s => s.Purpose));
        Assert.Equal("84,86,49,44", Purposes("btc"));
        Assert.Equal("84,86,49,44", Purposes("btc-testnet"));
        Assert.Equal("84,86,49,44", Purposes("ltc"));
        Assert.Equal("44", Purposes("doge"));
        Assert.Equal("44", Purposes("eth"));
        Assert.Equal("44", Purposes("trx"));
        Assert.Equal("44", Purposes("sol"));
        Assert.Equal("m/84'/1'/0'/0/7", DerivationScheme.Default(ChainRegistry.Get("btc-testnet")).AddressPath(7).ToString());
        Assert.Equal("m/44'/3'/2'/1/7", DerivationScheme.Default(ChainRegistry.Get("doge")).AddressPath(7, 2, change: true).ToString());
        Assert.Equal("m/44'/60'/0'/0/3", DerivationScheme.Default(ChainRegistry.Get("evm:8453")).AddressPath(3).ToString());
        Assert.Equal("m/44'/195'/0'/0/3", DerivationScheme.Default(ChainRegistry.Get("trx")).AddressPath(3).ToString());
        Assert.Equal("m/44'/501'/3'/0'", DerivationScheme.Default(ChainRegistry.Get("sol")).AddressPath(3).ToString());
        Assert.Throws<InvalidInputException>(() => DerivationScheme.Default(ChainRegistry.Get("sol")).AddressPath(3, account: 1));
        Assert.Throws<InvalidInputException>(() => DerivationScheme.Default(ChainRegistry.Get("eth")).AddressPath(KeyPath.HardenedBit));
        Assert.Equal(BitcoinAddressKind.P2shP2wpkh, BitcoinFamily.KindOf(KeyPath.Parse("m/49'/0'/0'/0/0")));
        Assert.Null(BitcoinFamily.KindOf(KeyPath.Parse("m/49/0'")));
        Assert.Null(BitcoinFamily.KindOf(KeyPath.Parse("m/0'/0'")));
        Assert.Equal(86u, DerivationScheme.Match(ChainRegistry.Get("btc"), KeyPath.Parse("m/86'/0'/0'/0/0"))!.Purpose);
        Assert.Null(DerivationScheme.Match(ChainRegistry.Get("btc"), KeyPath.Parse("m/86'/1'/0'/0/0")));
        Assert.Null(DerivationScheme.Match(ChainRegistry.Get("doge"), KeyPath.Parse("m/84'/3'/0'/0/0")));
    }
}
