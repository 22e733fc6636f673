namespace Custody.Core.Chains.Bitcoin.Psbt;

// The typed values of a PSBT map's repeatable fields. They are read-only views of
// the map's bytes; the map itself stays the source of truth for serialisation.

/// <summary>PSBT_IN_PARTIAL_SIG: a DER signature plus sighash byte, by public key.</summary>
public sealed record PsbtPartialSignature(ReadOnlyMemory<byte> PublicKey, ReadOnlyMemory<byte> Signature);

/// <summary>PSBT_IN/OUT_BIP32_DERIVATION: a public key (33 or 65 bytes) and where it is derived.</summary>
public sealed record PsbtDerivation(ReadOnlyMemory<byte> PublicKey, KeyOrigin Origin);

/// <summary>
/// PSBT_IN/OUT_TAP_BIP32_DERIVATION (BIP371): an x-only key, the leaves it signs in
/// (none for the key-path internal key), and where it is derived.
/// </summary>
public sealed record PsbtTapDerivation(ReadOnlyMemory<byte> XOnlyKey, IReadOnlyList<ReadOnlyMemory<byte>> LeafHashes, KeyOrigin Origin);

/// <summary>PSBT_IN_TAP_SCRIPT_SIG: a script-path signature by x-only key and leaf hash.</summary>
public sealed record PsbtTapScriptSignature(ReadOnlyMemory<byte> XOnlyKey, ReadOnlyMemory<byte> LeafHash, ReadOnlyMemory<byte> Signature);

/// <summary>PSBT_IN_TAP_LEAF_SCRIPT: a control block with the leaf script and its version.</summary>
public sealed record PsbtTapLeafScript(ReadOnlyMemory<byte> ControlBlock, ReadOnlyMemory<byte> Script, byte LeafVersion);

/// <summary>One leaf of PSBT_OUT_TAP_TREE, in depth-first order.</summary>
public sealed record PsbtTapTreeLeaf(byte Depth, byte LeafVersion, ReadOnlyMemory<byte> Script);

/// <summary>The hash kinds of the PSBT preimage fields.</summary>
public enum PsbtHashKind
{
    Ripemd160,
    Sha256,
    Hash160,
    Hash256,
}

/// <summary>PSBT_IN_RIPEMD160 / SHA256 / HASH160 / HASH256: a hash and its preimage (checked to match).</summary>
public sealed record PsbtPreimage(PsbtHashKind Kind, ReadOnlyMemory<byte> Hash, ReadOnlyMemory<byte> Preimage);

/// <summary>PSBT_GLOBAL_XPUB: a 78-byte serialised extended public key and its origin.</summary>
public sealed record PsbtGlobalXpub(ReadOnlyMemory<byte> ExtendedKey, KeyOrigin Origin);
