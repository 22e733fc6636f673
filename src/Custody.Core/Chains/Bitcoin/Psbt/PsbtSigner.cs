using System.Security.Cryptography;
using Custody.Core.Chains.Bitcoin.Descriptors;
using Custody.Core.Chains.Bitcoin.Sighash;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// The Signer role: finds the inputs whose derivations are the wallet's, proves the key
/// and the script (single key, multisig, taproot key path or tapscript leaf), signs with the
/// PSBT's sighash type (ALL, or DEFAULT for taproot, when none is given) and verifies every
/// signature before it is added. Anything it cannot prove is refused, naming the input.
/// </summary>
internal sealed class PsbtSigner
{
    private readonly PartiallySignedTransaction _psbt;
    private readonly BitcoinNetwork _network;
    private readonly IReadOnlyList<TxOutput> _spent;
    private readonly KeyOwnership _wallet;
    private readonly OutputDescriptor? _account;
    private SegwitV0Sighash? _segwit;
    private TaprootSighash? _taproot;

    /// <param name="account">The account's descriptor, when it is one: change must then pay it at a change index (or a single key of the wallet).</param>
    public PsbtSigner(PartiallySignedTransaction psbt, BitcoinNetwork network, IReadOnlyList<TxOutput> spent, KeyOwnership wallet, OutputDescriptor? account = null)
    {
        _account = account;
        _psbt = psbt;
        _network = network;
        _spent = spent;
        _wallet = wallet;
    }

    private BitcoinTransaction Tx => _psbt.UnsignedTransaction;

    /// <summary>Signs every input that is the wallet's; <paramref name="signedNow"/> lists them.</summary>
    public PartiallySignedTransaction SignAll(out IReadOnlySet<int> signedNow)
    {
        var psbt = _psbt;
        var signed = new HashSet<int>();
        foreach (var input in _psbt.Inputs)
        {
            if (input.IsFinalized) continue;
            var result = SignInput(input);
            if (result is null) continue;
            psbt = psbt.WithInput(result);
            signed.Add(input.Index);
        }
        signedNow = signed;
        return psbt;
    }

    private PsbtInput? SignInput(PsbtInput input)
    {
        var ours = input.Bip32Derivations.Where(d => _wallet.Owns(d)).ToList();
        var oursTap = input.TapBip32Derivations.Where(d => _wallet.Owns(d)).ToList();
        if (ours.Count == 0 && oursTap.Count == 0) return null;

        var script = _spent[input.Index].ScriptPubKey;
        if (BitcoinScript.IsP2tr(script)) return SignTaproot(input, oursTap, ours.Count > 0);
        if (oursTap.Count > 0)
            throw new InvalidInputException(input.Name + ".tap_bip32_derivation", "a taproot derivation of this wallet on an input that is not P2TR");
        return SignEcdsa(input, ours);
    }

    private PsbtInput SignEcdsa(PsbtInput input, List<PsbtDerivation> ours)
    {
        var field = input.Name + ".bip32_derivation";
        var script = _spent[input.Index].ScriptPubKey.ToArray();
        var keys = ours.Select(d => (Derivation: d, Key: _wallet.Prove(d, field))).ToList();
        foreach (var (derivation, key) in keys)
        {
            if (SingleKeyScript.Match(script, key) is not { } kind || kind == BitcoinAddressKind.P2tr) continue;
            if (!SingleKeyScript.IsAvailable(kind, _network))
                throw new InvalidInputException(input.Name, $"{kind} does not exist on {_network.Name}");
            var result = kind == BitcoinAddressKind.P2pkh
                ? SignWith(input, derivation, key, script, segwit: false)
                : SignWith(input, derivation, key, BitcoinScript.P2pkh(Hashes.Hash160(key)), segwit: true); // BIP143 scriptCode for P2WPKH
            return kind == BitcoinAddressKind.P2shP2wpkh && input.RedeemScript is null
                ? result.WithRedeemScript(BitcoinScript.P2wpkh(Hashes.Hash160(key)))
                : result;
        }

        if (PsbtFinalizer.ScriptCode(input, script) is not var (scriptCode, segwit))
            throw new InvalidInputException(input.Name,
                "the spent script is neither a single-key script (P2PKH, P2WPKH, P2SH-P2WPKH) of this wallet's key nor a P2SH, P2WSH or P2SH-P2WSH script with its redeem / witness script");
        if (MultisigScript.TryParse(scriptCode) is not { Tapscript: false } multisig)
            throw new InvalidInputException(input.Name + (segwit ? ".witness_script" : ".redeem_script"),
                "is not a multisig script (OP_k <keys> OP_n OP_CHECKMULTISIG); other scripts are not signed");
        var signed = input;
        var any = false;
        foreach (var (derivation, key) in keys.Where(k => multisig.IndexOf(k.Key) >= 0))
        {
            signed = SignWith(signed, derivation, key, scriptCode, segwit);
            any = true;
        }
        return any
            ? signed
            : throw new InvalidInputException(field, "names a key of this wallet that the multisig script does not contain");
    }

    // One ECDSA signature of the key at the derivation over the input's legacy or BIP143 digest, verified before it is added.
    private PsbtInput SignWith(PsbtInput input, PsbtDerivation signer, byte[] key, byte[] scriptCode, bool segwit)
    {
        var type = input.SighashType ?? SighashType.All;
        if (!SighashType.IsValidEcdsa(type))
            throw new InvalidInputException(input.Name + ".sighash_type", $"{SighashType.Describe(type)} is not a sighash type for ECDSA signatures");
        byte[] digest;
        if (!segwit)
        {
            if (input.NonWitnessUtxo is null)
                throw new InvalidInputException(input.Name + ".non_witness_utxo", "required to sign a legacy input");
            digest = LegacySighash.Compute(Tx, input.Index, scriptCode, type);
        }
        else
        {
            if (input.WitnessUtxo is null)
                throw new InvalidInputException(input.Name + ".witness_utxo", "required to sign a segwit input");
            if (!_network.SupportsSegwit) throw new InvalidInputException(input.Name, $"{_network.Name} has no segwit");
            _segwit ??= new SegwitV0Sighash(Tx);
            digest = _segwit.Compute(input.Index, scriptCode, _spent[input.Index].Value, type);
        }
        var signature = _wallet.Keys.SignEcdsa(_wallet.PathOf(signer.Origin), digest);
        if (!Secp256k1.Verify(key, digest, signature.ToCompact()))
            throw new CryptographicException($"{input.Name}: the signature made by the key ring does not verify");
        return input.WithPartialSignature(key, [.. signature.ToDer(), (byte)type]);
    }

    private PsbtInput SignTaproot(PsbtInput input, List<PsbtTapDerivation> oursTap, bool hasEcdsaDerivation)
    {
        var field = input.Name + ".tap_bip32_derivation";
        if (!_network.SupportsTaproot)
            throw new InvalidInputException(input.Name, $"{_network.Name} has no taproot");
        if (oursTap.Count == 0)
            throw new InvalidInputException(field, hasEcdsaDerivation
                ? "a P2TR input names this wallet's key only in bip32_derivation; taproot keys belong in tap_bip32_derivation (BIP371)"
                : "missing");
        byte[]? key = null;
        PsbtTapDerivation? signer = null;
        var leafSigners = new List<(PsbtTapDerivation Derivation, byte[] Key)>();
        foreach (var derivation in oursTap)
        {
            var derived = _wallet.Prove(derivation, field);
            if (derivation.LeafHashes.Count == 0)
            {
                if (key is null) (key, signer) = (derived, derivation);
            }
            else
            {
                leafSigners.Add((derivation, derived));
            }
        }
        if (input.WitnessUtxo is null)
            throw new InvalidInputException(input.Name + ".witness_utxo", "required to sign a taproot input");
        var type = input.SighashType ?? SighashType.Default;
        if (!SighashType.IsValidTaproot(type))
            throw new InvalidInputException(input.Name + ".sighash_type", $"{SighashType.Describe(type)} is not a taproot sighash type");
        _taproot ??= new TaprootSighash(Tx, _spent);
        // The key path completes the input with one signature; leaves are signed only when our key is not the internal key.
        return key is null || signer is null
            ? SignScriptPath(input, leafSigners, type)
            : SignKeyPath(input, signer, key, type);
    }

    private PsbtInput SignKeyPath(PsbtInput input, PsbtTapDerivation signer, byte[] key, uint type)
    {
        var xonly = key.AsSpan(1);
        if (input.TapInternalKey is { } internalKey && !internalKey.Span.SequenceEqual(xonly))
            throw new InvalidInputException(input.Name + ".tap_internal_key", "is not the wallet's key named in tap_bip32_derivation");
        var merkleRoot = input.TapMerkleRoot is { } root ? root.ToArray() : [];
        var script = _spent[input.Index].ScriptPubKey;
        var outputKey = Secp256k1.TaprootOutputKey(xonly, merkleRoot);
        if (!script[2..].SequenceEqual(outputKey))
            throw new InvalidInputException(input.Name,
                $"the P2TR output key is not {signer.Origin} tweaked {(merkleRoot.Length == 0 ? "as BIP86 says" : "with tap_merkle_root")}");

        var digest = _taproot!.ComputeKeyPath(input.Index, type);
        var signature = _wallet.Keys.SignTaproot(_wallet.PathOf(signer.Origin), digest, merkleRoot);
        if (signature.Length != 64 || !Secp256k1.VerifySchnorr(outputKey, digest, signature))
            throw new CryptographicException($"{input.Name}: the taproot signature made by the key ring does not verify");
        return input.WithTapKeySignature(WithSighashByte(signature, type));
    }

    /// <summary>
    /// BIP342 script path: for every leaf that a derivation of ours names, whose script the PSBT
    /// gives (tap_leaf_script) with a control block that commits to the spent output key, and
    /// which is a threshold leaf (pk, multi_a, sortedmulti_a) containing our x-only key: one
    /// signature with the untweaked key over that leaf's sighash, verified, as tap_script_sig.
    /// </summary>
    private PsbtInput SignScriptPath(PsbtInput input, List<(PsbtTapDerivation Derivation, byte[] Key)> signers, uint type)
    {
        var field = input.Name + ".tap_leaf_script";
        PsbtFinalizer.RequireCommittedLeaves(input, _spent[input.Index].ScriptPubKey);
        var leaves = new Dictionary<string, PsbtTapLeafScript>(StringComparer.Ordinal);
        foreach (var leaf in input.TapLeafScripts)
            leaves[Convert.ToHexStringLower(Taproot.LeafHash(leaf.LeafVersion, leaf.Script.Span))] = leaf;

        var signed = input;
        var any = false;
        foreach (var (derivation, key) in signers)
        {
            var xonly = key[1..];
            foreach (var leafHash in derivation.LeafHashes)
            {
                if (!leaves.TryGetValue(Convert.ToHexStringLower(leafHash.Span), out var leaf)) continue; // a leaf the coordinator did not give us
                if (leaf.LeafVersion != Taproot.TapscriptLeafVersion || MultisigScript.TryParseLeaf(leaf.Script.Span) is not { } keys)
                    throw new InvalidInputException(field, "a leaf this wallet's key signs in is not a tapscript pk, multi_a or sortedmulti_a leaf; other scripts are not signed");
                if (keys.IndexOf(xonly) < 0)
                    throw new InvalidInputException(input.Name + ".tap_bip32_derivation", $"{derivation.Origin} names a leaf whose script does not contain this wallet's key");
                any = true;
                if (input.TapScriptSignature(xonly, leafHash.Span) is not null)
                    continue; // signed in an earlier round; BIP340's fresh nonce would only make a conflicting second one
                var digest = _taproot!.ComputeScriptPath(input.Index, type, leafHash.Span);
                var signature = _wallet.Keys.SignSchnorr(_wallet.PathOf(derivation.Origin), digest);
                if (signature.Length != 64 || !Secp256k1.VerifySchnorr(xonly, digest, signature))
                    throw new CryptographicException($"{input.Name}: the script-path signature made by the key ring does not verify");
                signed = signed.WithTapScriptSignature(xonly, leafHash.Span, WithSighashByte(signature, type));
            }
        }
        return any
            ? signed
            : throw new InvalidInputException(field, "this wallet's keys sign only script-path leaves here, and the PSBT gives none of their scripts");
    }

    // BIP341: a DEFAULT signature is the bare 64 bytes; any other type appends its byte.
    private static byte[] WithSighashByte(byte[] signature, uint type) => type == SighashType.Default ? signature : [.. signature, (byte)type];

    /// <summary>
    /// Every output that claims to be change (carries a derivation) must pay the account's
    /// descriptor at a change index (the index our derivation there names), or a single key
    /// of this wallet, proven by deriving it; a single-key P2TR change output must be BIP86
    /// (no script tree, which others could spend through). Otherwise the PSBT is refused.
    /// </summary>
    public void VerifyChange()
    {
        foreach (var output in _psbt.Outputs)
        {
            if (!PsbtIntent.ClaimsChange(output)) continue;
            var script = Tx.Outputs[output.Index].ScriptPubKey;
            if (_account is not null && PaysAccountChange(output, script)) continue;
            var keys = new List<byte[]>();
            foreach (var derivation in output.Bip32Derivations.Where(d => _wallet.Owns(d)))
                keys.Add(_wallet.Prove(derivation, output.Name + ".bip32_derivation"));
            foreach (var derivation in output.TapBip32Derivations.Where(d => _wallet.Owns(d) && d.LeafHashes.Count == 0))
                keys.Add(_wallet.Prove(derivation, output.Name + ".tap_bip32_derivation"));
            if (output.TapTree is not null)
                throw new InvalidInputException(output.Name + ".tap_tree", "claims to be change, but a script tree lets other keys spend it");
            if (output.TapInternalKey is { } internalKey && !keys.Any(k => internalKey.Span.SequenceEqual(k.AsSpan(1))))
                throw new InvalidInputException(output.Name + ".tap_internal_key", "claims to be change, but the internal key is not this wallet's");
            var pays = false;
            foreach (var key in keys)
                pays |= SingleKeyScript.Match(script, key) is { } kind && SingleKeyScript.IsAvailable(kind, _network);
            if (!pays)
                throw new InvalidInputException(output.Name,
                    keys.Count == 0
                        ? "claims to be change (it carries key derivations), but none of them is this wallet's"
                        : _account is null
                            ? "claims to be change, but its script does not pay a single key of this wallet (P2PKH, P2WPKH, P2SH-P2WPKH, BIP86 P2TR)"
                            : "claims to be change, but its script pays neither the account's descriptor at a change index nor a single key of this wallet");
        }
    }

    // The change branch is 1 of a <0;1> descriptor (a descriptor without multipath is one chain); the index is the last step of our derivation.
    private bool PaysAccountChange(PsbtOutput output, ReadOnlySpan<byte> script)
    {
        var branch = _account!.Branches > 1 ? 1 : 0;
        var origins = output.Bip32Derivations.Where(d => _wallet.Owns(d)).Select(d => (d.Origin, Key: _wallet.Prove(d, output.Name + ".bip32_derivation")))
            .Concat(output.TapBip32Derivations.Where(d => _wallet.Owns(d)).Select(d => (d.Origin, Key: _wallet.Prove(d, output.Name + ".tap_bip32_derivation"))));
        foreach (var (origin, _) in origins)
        {
            if (origin.Path.Last is not { } index || KeyPath.IsHardenedIndex(index)) continue;
            if (script.SequenceEqual(_account.ScriptPubKey(branch, index))) return true;
        }
        return false;
    }
}
