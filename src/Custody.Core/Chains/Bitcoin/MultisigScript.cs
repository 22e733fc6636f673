namespace Custody.Core.Chains.Bitcoin;

/// <summary>
/// The threshold scripts Custody co-signs, recognised from their bytes: OP_CHECKMULTISIG
/// (BIP383 multi: OP_k &lt;33-byte keys&gt; OP_n OP_CHECKMULTISIG, in P2SH and P2WSH) and the
/// tapscript OP_CHECKSIGADD form (BIP387 multi_a: &lt;x-only&gt; OP_CHECKSIG &lt;x-only&gt;
/// OP_CHECKSIGADD … OP_k OP_NUMEQUAL). Only the exact templates with minimal pushes match.
/// </summary>
public sealed record MultisigScript(int Threshold, IReadOnlyList<byte[]> Keys, bool Tapscript)
{
    public const byte OpCheckMultisig = 0xae;
    public const byte OpCheckSigAdd = 0xba;
    public const byte OpNumEqual = 0x9c;

    /// <summary>The script's position of <paramref name="key"/> (33 bytes, or 32 x-only in tapscript), or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> key)
    {
        for (var i = 0; i < Keys.Count; i++)
            if (key.SequenceEqual(Keys[i])) return i;
        return -1;
    }

    public static MultisigScript? TryParse(ReadOnlySpan<byte> script)
    {
        var position = 0;
        if (script.Length > 0 && script[^1] == OpCheckMultisig)
        {
            if (!TryReadNumber(script, ref position, out var k)) return null;
            var keys = new List<byte[]>();
            while (position < script.Length && script[position] == 33 && position + 34 <= script.Length)
            {
                keys.Add(script.Slice(position + 1, 33).ToArray());
                position += 34;
            }
            if (!TryReadNumber(script, ref position, out var n) || n != keys.Count || position != script.Length - 1) return null;
            return k >= 1 && k <= n && n <= 20 ? new MultisigScript(k, keys, false) : null;
        }
        if (script.Length > 0 && script[^1] == OpNumEqual)
        {
            var keys = new List<byte[]>();
            while (position + 34 <= script.Length && script[position] == 32 &&
                   script[position + 33] == (keys.Count == 0 ? BitcoinScript.OpCheckSig : OpCheckSigAdd))
            {
                keys.Add(script.Slice(position + 1, 32).ToArray());
                position += 34;
            }
            if (keys.Count == 0 || !TryReadNumber(script, ref position, out var k) || position != script.Length - 1) return null;
            return k >= 1 && k <= keys.Count ? new MultisigScript(k, keys, true) : null;
        }
        return null;
    }

    /// <summary>
    /// A tapscript leaf that a threshold of x-only keys satisfies: multi_a / sortedmulti_a, or pk
    /// (&lt;x-only&gt; OP_CHECKSIG) as the 1-of-1 it is. Both are satisfied by one witness element per
    /// key, in reverse key order, a signature or empty; null for any other script.
    /// </summary>
    public static MultisigScript? TryParseLeaf(ReadOnlySpan<byte> script)
    {
        if (script.Length == 34 && script[0] == 32 && script[33] == BitcoinScript.OpCheckSig)
            return new MultisigScript(1, [script.Slice(1, 32).ToArray()], true);
        return TryParse(script) is { Tapscript: true } multisig ? multisig : null;
    }

    // OP_1…OP_16, or a minimal push of a positive number (the form BitcoinScript.Push writes).
    private static bool TryReadNumber(ReadOnlySpan<byte> script, ref int position, out int value)
    {
        value = 0;
        if (position >= script.Length) return false;
        var op = script[position];
        if (op is >= 0x51 and <= 0x60)
        {
            value = op - 0x50;
            position++;
            return true;
        }
        if (op is < 1 or > 2 || position + 1 + op > script.Length) return false;
        var bytes = script.Slice(position + 1, op);
        for (var i = bytes.Length - 1; i >= 0; i--) value = (value << 8) | bytes[i];
        position += 1 + op;
        return BitcoinScript.Push(value).AsSpan().SequenceEqual(script.Slice(position - 1 - op, 1 + op)) && value > 16;
    }
}
