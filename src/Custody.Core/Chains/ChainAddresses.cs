using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Evm;
using Custody.Core.Chains.Solana;
using Custody.Core.Chains.Tron;

namespace Custody.Core.Chains;

/// <summary>
/// Addresses of any chain through one door: derive from a public key, or validate and
/// return the canonical text (what the policy compares). Picks the family's address
/// class once, in <see cref="FormatOf"/>; each family folder does the real work.
/// </summary>
public static class ChainAddresses
{
    private delegate string DeriveAddress(Chain chain, ReadOnlySpan<byte> publicKey, BitcoinAddressKind? kind);

    private sealed record Format(DeriveAddress Derive, Func<Chain, string, string> Normalize);

    private static readonly Format BitcoinFormat = new(
        (chain, pub, kind) => BitcoinAddress.FromPublicKey(kind ?? DerivationScheme.Default(chain).AddressKind!.Value, pub, chain.Bitcoin!),
        (chain, text) => BitcoinAddress.Normalize(text, chain.Bitcoin!));

    private static readonly Format EvmFormat = new(
        (_, pub, _) => EvmAddress.FromPublicKey(pub),
        (_, text) => EvmAddress.Normalize(text));

    private static readonly Format TronFormat = new(
        (_, pub, _) => TronAddress.FromPublicKey(pub),
        (_, text) => TronAddress.Normalize(text));

    private static readonly Format SolanaFormat = new(
        (_, pub, _) => pub.Length == 32
            ? SolanaAddress.ToText(pub)
            : throw new InvalidInputException("publicKey", $"a Solana address is a 32-byte ed25519 key, not {pub.Length} bytes"),
        (_, text) => SolanaAddress.Normalize(text));

    private static Format FormatOf(Chain chain) => chain.Family switch
    {
        ChainFamily.Bitcoin => BitcoinFormat,
        ChainFamily.Evm => EvmFormat,
        ChainFamily.Tron => TronFormat,
        ChainFamily.Solana => SolanaFormat,
        _ => throw new ArgumentOutOfRangeException(nameof(chain), chain.Family, "unknown chain family"),
    };

    /// <summary>
    /// The address of <paramref name="publicKey"/> (33-byte compressed secp256k1, or 32-byte
    /// ed25519). <paramref name="kind"/> applies to the Bitcoin family only; null there means
    /// the chain's default (P2WPKH where segwit exists, else P2PKH).
    /// </summary>
    public static string Derive(Chain chain, ReadOnlySpan<byte> publicKey, BitcoinAddressKind? kind = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (kind is not null && chain.Family != ChainFamily.Bitcoin)
            throw new InvalidInputException("kind", $"address kinds apply to Bitcoin-family chains, not {chain.Id}");
        return FormatOf(chain).Derive(chain, publicKey, kind);
    }

    /// <summary>
    /// Validates <paramref name="address"/> for <paramref name="chain"/> and returns its canonical
    /// text (lower-case bech32, EIP-55 hex, Base58 for TRON and Solana); a wrong checksum,
    /// network or length is an InvalidInputException("address", reason).
    /// </summary>
    public static string Normalize(Chain chain, string address)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (string.IsNullOrWhiteSpace(address)) throw new InvalidInputException("address", "empty");
        return FormatOf(chain).Normalize(chain, address);
    }
}
