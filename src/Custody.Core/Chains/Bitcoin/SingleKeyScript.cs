using Custody.Core.Crypto;

namespace Custody.Core.Chains.Bitcoin;

/// <summary>
/// The output scripts that pay one compressed key alone: P2PKH, P2WPKH, P2SH-P2WPKH and
/// P2TR key path (BIP86, or with a merkle root the PSBT gives for an input). Multisig
/// scripts are <see cref="MultisigScript"/>.
/// </summary>
public static class SingleKeyScript
{
    /// <summary>The kind of single-key script <paramref name="script"/> is for <paramref name="pub33"/>, or null.</summary>
    /// <param name="merkleRoot">For P2TR: the script tree's root (empty for BIP86).</param>
    public static BitcoinAddressKind? Match(ReadOnlySpan<byte> script, ReadOnlySpan<byte> pub33, ReadOnlySpan<byte> merkleRoot = default)
    {
        if (pub33.Length != 33) return null;
        if (BitcoinScript.IsP2tr(script))
            return script[2..].SequenceEqual(Secp256k1.TaprootOutputKey(pub33[1..], merkleRoot)) ? BitcoinAddressKind.P2tr : null;
        var keyHash = Hashes.Hash160(pub33);
        if (BitcoinScript.IsP2pkh(script))
            return script.Slice(3, 20).SequenceEqual(keyHash) ? BitcoinAddressKind.P2pkh : null;
        if (BitcoinScript.IsP2wpkh(script))
            return script[2..].SequenceEqual(keyHash) ? BitcoinAddressKind.P2wpkh : null;
        if (BitcoinScript.IsP2sh(script))
            return script.Slice(2, 20).SequenceEqual(Hashes.Hash160(BitcoinScript.P2wpkh(keyHash))) ? BitcoinAddressKind.P2shP2wpkh : null;
        return null;
    }

    /// <summary>Whether <paramref name="network"/> has the script kind at all (DOGE: no segwit, so no P2WPKH, P2SH-P2WPKH, P2TR).</summary>
    public static bool IsAvailable(BitcoinAddressKind kind, BitcoinNetwork network) => kind switch
    {
        BitcoinAddressKind.P2pkh => true,
        BitcoinAddressKind.P2tr => network.SupportsTaproot && network.SupportsSegwit,
        _ => network.SupportsSegwit,
    };
}
