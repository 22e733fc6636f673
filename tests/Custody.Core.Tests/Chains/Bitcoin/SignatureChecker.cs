using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Sighash;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Crypto;

namespace Custody.Core.Tests.Chains.Bitcoin;

/// <summary>Checks a network transaction's single-key inputs as a node would: scriptSig/witness shape, key, signature.</summary>
internal static class SignatureChecker
{
    public static void AssertValid(BitcoinTransaction tx, IReadOnlyList<TxOutput> spent)
    {
        for (var i = 0; i < tx.Inputs.Count; i++)
            Assert.True(IsValid(tx, i, spent), $"input[{i}] does not verify");
    }

    public static bool IsValid(BitcoinTransaction tx, int index, IReadOnlyList<TxOutput> spent)
    {
        var input = tx.Inputs[index];
        var script = spent[index].ScriptPubKey;
        if (BitcoinScript.IsP2tr(script))
        {
            if (input.Witness.Count != 1 || !input.ScriptSig.IsEmpty) return false;
            var sig = input.Witness[0].Span;
            uint type = sig.Length == 65 ? sig[64] : SighashType.Default;
            var digest = new TaprootSighash(tx, spent).ComputeKeyPath(index, type);
            return Secp256k1.VerifySchnorr(script[2..], digest, sig[..64]);
        }
        if (BitcoinScript.IsP2pkh(script))
        {
            var pushes = Pushes(input.ScriptSig);
            if (pushes.Count != 2 || input.Witness.Count != 0) return false;
            var (sig, pub) = (pushes[0], pushes[1]);
            if (!Hashes.Hash160(pub).AsSpan().SequenceEqual(script.Slice(3, 20))) return false;
            var digest = LegacySighash.Compute(tx, index, script, sig[^1]);
            return Secp256k1.Verify(pub, digest, EcdsaSignature.FromDer(sig.AsSpan(0, sig.Length - 1)).ToCompact());
        }
        byte[] program;
        if (BitcoinScript.IsP2sh(script))
        {
            var pushes = Pushes(input.ScriptSig);
            if (pushes.Count != 1 || !Hashes.Hash160(pushes[0]).AsSpan().SequenceEqual(script.Slice(2, 20))) return false;
            program = pushes[0];
        }
        else
        {
            if (!input.ScriptSig.IsEmpty) return false;
            program = script.ToArray();
        }
        if (!BitcoinScript.IsP2wpkh(program) || input.Witness.Count != 2) return false;
        var witnessSig = input.Witness[0].ToArray();
        var witnessPub = input.Witness[1].ToArray();
        if (!Hashes.Hash160(witnessPub).AsSpan().SequenceEqual(program.AsSpan(2))) return false;
        var segwitDigest = new SegwitV0Sighash(tx).Compute(index, BitcoinScript.P2pkh(program.AsSpan(2)), spent[index].Value, witnessSig[^1]);
        return Secp256k1.Verify(witnessPub, segwitDigest, EcdsaSignature.FromDer(witnessSig.AsSpan(0, witnessSig.Length - 1)).ToCompact());
    }

    // Only direct pushes (1..75 bytes), which is all a single-key scriptSig has.
    private static List<byte[]> Pushes(ReadOnlySpan<byte> script)
    {
        var pushes = new List<byte[]>();
        while (!script.IsEmpty)
        {
            var length = script[0];
            if (length is 0 or > 75 || length >= script.Length) return [];
            pushes.Add(script.Slice(1, length).ToArray());
            script = script[(1 + length)..];
        }
        return pushes;
    }
}
