using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Evm;
using Custody.Core.Chains.Solana;
using Custody.Core.Chains.Tron;
using Custody.Core.Crypto;

namespace Custody.Core.Tests.Chains;

public class AddressTests
{
    // Public keys and addresses from BIP49 (testnet), BIP84 and BIP86 ("abandon … about").
    [Theory]
    [InlineData(BitcoinAddressKind.P2shP2wpkh, "testnet", "03a1af804ac108a8a51782198c2d034b28bf90c8803f5a53f76276fa69a4eae77f", "2Mww8dCYPUpKHofjgcXcBCEGmniw9CoaiD2")]
    [InlineData(BitcoinAddressKind.P2wpkh, "mainnet", "0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c", "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu")]
    [InlineData(BitcoinAddressKind.P2wpkh, "mainnet", "03e775fd51f0dfb8cd865d9ff1cca2a158cf651fe997fdc9fee9c1d3b5e995ea77", "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g")]
    [InlineData(BitcoinAddressKind.P2tr, "mainnet", "02cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115", "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr")]
    // Compressed public key of private key 1 (the generator G).
    [InlineData(BitcoinAddressKind.P2pkh, "mainnet", "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH")]
    public void Bitcoin_addresses_from_bip_examples(BitcoinAddressKind kind, string net, string pub, string address)
    {
        var network = net == "mainnet" ? BitcoinNetwork.Mainnet : BitcoinNetwork.Testnet;
        Assert.Equal(address, BitcoinAddress.FromPublicKey(kind, VectorFile.Hex(pub), network));
        var script = BitcoinAddress.ToScriptPubKey(address, network);
        Assert.True(BitcoinAddress.TryFromScriptPubKey(script, network, out var back));
        Assert.Equal(address, back);
    }

    [Fact]
    public void Bip86_script_pub_key()
    {
        var script = BitcoinAddress.ToScriptPubKey("bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr", BitcoinNetwork.Mainnet);
        Assert.Equal("5120a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c", VectorFile.ToHex(script));
    }

    [Theory]
    [InlineData("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "testnet", "another network")]
    [InlineData("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyv", "mainnet", "checksum")]
    [InlineData("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMJ", "mainnet", "checksum")]
    [InlineData("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "testnet", "version byte")]
    [InlineData("1BgGZ9tcN4rm9KBzDn7KprQz87SZ26SAMH", "doge", "version byte")]
    [InlineData("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "doge", "another network")]
    [InlineData("bc1qcr8te4kr609gcawutmrza0j4xv80jy8z3!6fyu", "doge", "neither Base58")]
    [InlineData("", "mainnet", "empty")]
    public void Bad_bitcoin_addresses_say_why(string address, string net, string reason)
    {
        var network = net switch { "mainnet" => BitcoinNetwork.Mainnet, "testnet" => BitcoinNetwork.Testnet, _ => BitcoinNetwork.Dogecoin };
        var e = Assert.Throws<InvalidInputException>(() => BitcoinAddress.ToScriptPubKey(address, network));
        Assert.Equal("address", e.Field);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dogecoin_and_litecoin_prefixes()
    {
        var pub = Secp256k1.GetPublicKey(Convert.FromHexString("0000000000000000000000000000000000000000000000000000000000000001"));
        Assert.StartsWith("D", BitcoinAddress.FromPublicKey(BitcoinAddressKind.P2pkh, pub, BitcoinNetwork.Dogecoin), StringComparison.Ordinal);
        Assert.StartsWith("L", BitcoinAddress.FromPublicKey(BitcoinAddressKind.P2pkh, pub, BitcoinNetwork.Litecoin), StringComparison.Ordinal);
        Assert.StartsWith("ltc1q", BitcoinAddress.FromPublicKey(BitcoinAddressKind.P2wpkh, pub, BitcoinNetwork.Litecoin), StringComparison.Ordinal);
        Assert.StartsWith("M", BitcoinAddress.FromPublicKey(BitcoinAddressKind.P2shP2wpkh, pub, BitcoinNetwork.Litecoin), StringComparison.Ordinal);
        var e = Assert.Throws<InvalidInputException>(() => BitcoinAddress.FromPublicKey(BitcoinAddressKind.P2wpkh, pub, BitcoinNetwork.Dogecoin));
        Assert.Equal("kind", e.Field);
    }

    // EIP-55 test cases (ERC-55 "Test Cases").
    [Theory]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7")]
    [InlineData("0x8617E340B3D01FA5F11F306F4090FD50E238070D")]
    [InlineData("0xde709f2102306220921060314715629080e2fb77")]
    [InlineData("0x27b1fdb04752bbc536007a920d24acb045561c26")]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void Eip55_checksums(string address)
    {
        Assert.Equal(address, EvmAddress.Normalize(address.ToLowerInvariant()));
        Assert.Equal(address, EvmAddress.Normalize(address));
        var flipped = address[..^1] + (char.IsUpper(address[^1]) ? char.ToLowerInvariant(address[^1]) : char.ToUpperInvariant(address[^1]));
        if (flipped != address && char.IsLetter(address[^1]) && address.Any(char.IsLower) && address[2..].Any(char.IsUpper))
            Assert.Throws<InvalidInputException>(() => EvmAddress.Parse(flipped));
    }

    // ethers.js accounts.json: private key → address.
    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000001", "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")]
    [InlineData("0000000000000000000000000000000000006000000000000000000000000000", "0xA04A864273e77BE6fE500AD2F5FAD320D9168Bb6")]
    public void Evm_address_from_key(string priv, string address)
    {
        var key = Convert.FromHexString(priv);
        Assert.Equal(address, EvmAddress.FromPublicKey(Secp256k1.GetPublicKey(key)));
        Assert.Equal(address, EvmAddress.FromPublicKey(Secp256k1.GetPublicKey(key, compressed: false)));
    }

    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", "checksum")]
    [InlineData("5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x")]
    [InlineData("0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea", "40 hex digits")]
    [InlineData("0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg", "not hex")]
    public void Bad_evm_addresses_say_why(string address, string reason)
    {
        var e = Assert.Throws<InvalidInputException>(() => EvmAddress.Parse(address));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    // tronweb's config and isAddress cases; TRON documentation's private-chain key.
    [Theory]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000001", "417e5f4552091a69125d5dfcb7b8c2659029395bdf", "TMVQGm1qAQYVdetCeGRRkTWYYrLXuHK2HC")]
    [InlineData("da146374a75310b9666e834ee4ad0866d6f4035967bfc76217c5a495fff9f0d0", "41928c9af0651632157ef27a2cf17ca72c575a4d21", "TPL66VK2gCXNCD7EJg9pgJRfqcRazjhUZY")]
    public void Tron_addresses(string priv, string hex, string base58)
    {
        var pub = Secp256k1.GetPublicKey(Convert.FromHexString(priv));
        Assert.Equal(base58, TronAddress.FromPublicKey(pub));
        Assert.Equal(hex, VectorFile.ToHex(TronAddress.Parse(base58)));
        Assert.Equal(base58, TronAddress.Normalize(hex));
    }

    [Theory]
    [InlineData("TYPG8VeuoVAh2hP7Vfw6ww7vK98nvXXXUG", true)]
    [InlineData("TYPG8VeuoVAh2hP7Vfw6ww7vK98nvXXXUs", false)]
    [InlineData("TYPG8VeuoVAh2hP7Vfw6ww7vK98nvXXXUG89", false)]
    [InlineData("aYPG8VeuoVAh2hP7Vfw6ww7vK98nvXXXUG", false)]
    [InlineData("4165cfbd57fa4f20687b2c33f84c4f9017e5895d49", true)]
    [InlineData("0x65cfbd57fa4f20687b2c33f84c4f9017e5895d49", false)]
    [InlineData("4165cfbd57fa4f20687b2c33f84c4f9017e589", false)]
    [InlineData("4165cfbd57fa4f20687b2c33f84c4f9017e5895d4998", false)]
    public void Tronweb_is_address_cases(string text, bool valid)
    {
        if (valid) Assert.Equal(21, TronAddress.Parse(text).Length);
        else Assert.Throws<InvalidInputException>(() => TronAddress.Parse(text));
    }

    [Fact]
    public void Solana_addresses()
    {
        // RFC 8032 TEST 1 public key, as Solana shows it.
        var key = Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        Assert.Equal("FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z", SolanaAddress.ToText(key));
        Assert.Equal(key, SolanaAddress.Parse("FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS96Z"));
        Assert.Throws<InvalidInputException>(() => SolanaAddress.Parse("FVen3X669xLzsi6N2V91DoiyzHzg1uAgq"));
        Assert.Throws<InvalidInputException>(() => SolanaAddress.Parse("FVen3X669xLzsi6N2V91DoiyzHzg1uAgqiT8jZ9nS960"));
        Assert.Throws<InvalidInputException>(() => SolanaAddress.Parse("1111111111111111111111111111111"));
    }
}
