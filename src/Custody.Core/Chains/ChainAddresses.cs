using Custody.Core.Chains.Bitcoin;

namespace Custody.Core.Chains;

/// <summary>
/// Addresses of any chain through one door: derive from a public key, or validate and return the
/// canonical text (what the policy compares). The chain's family does the work; the rules every
/// family shares (which address kinds a chain has, an empty text) are here, once.
/// </summary>
public static class ChainAddresses
{
    /// <summary>
    /// The address of <paramref name="publicKey"/> (33-byte compressed secp256k1, or 32-byte
    /// ed25519) in the format of <paramref name="kind"/>; null means the chain's default scheme's
    /// (P2WPKH where segwit exists, else P2PKH). Only chains with several kinds take one.
    /// </summary>
    public static string Derive(Chain chain, ReadOnlySpan<byte> publicKey, BitcoinAddressKind? kind = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var scheme = DerivationScheme.Default(chain);
        if (kind is not null)
        {
            DerivationScheme.RequireAddressKinds(chain);
            scheme = scheme with { AddressKind = kind }; // the family says why its network lacks a kind
        }
        return chain.Family.Address(chain, publicKey, scheme);
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
        return chain.Family.NormalizeAddress(chain, address);
    }
}
