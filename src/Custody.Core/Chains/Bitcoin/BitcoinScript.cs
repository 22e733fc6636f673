namespace Custody.Core.Chains.Bitcoin;

/// <summary>The standard output scripts, built and recognised in one place.</summary>
public static class BitcoinScript
{
    public const byte OpDup = 0x76;
    public const byte OpHash160 = 0xa9;
    public const byte OpEqual = 0x87;
    public const byte OpEqualVerify = 0x88;
    public const byte OpCheckSig = 0xac;

    /// <summary>OP_DUP OP_HASH160 &lt;20&gt; OP_EQUALVERIFY OP_CHECKSIG</summary>
    public static byte[] P2pkh(ReadOnlySpan<byte> hash160)
    {
        RequireHash(hash160);
        return [OpDup, OpHash160, 20, .. hash160, OpEqualVerify, OpCheckSig];
    }

    /// <summary>OP_HASH160 &lt;20&gt; OP_EQUAL</summary>
    public static byte[] P2sh(ReadOnlySpan<byte> hash160)
    {
        RequireHash(hash160);
        return [OpHash160, 20, .. hash160, OpEqual];
    }

    public static byte[] P2wpkh(ReadOnlySpan<byte> hash160)
    {
        RequireHash(hash160);
        return Witness(0, hash160);
    }

    public static byte[] P2tr(ReadOnlySpan<byte> xonly32)
    {
        if (xonly32.Length != 32) throw new ArgumentException("a taproot output key is 32 bytes");
        return Witness(1, xonly32);
    }

    /// <summary>OP_n &lt;program&gt; for a segwit output of version n.</summary>
    public static byte[] Witness(int version, ReadOnlySpan<byte> program)
    {
        if (version is < 0 or > 16) throw new ArgumentOutOfRangeException(nameof(version));
        if (program.Length is < 2 or > 40) throw new ArgumentException("a witness program is 2 to 40 bytes");
        return [(byte)(version == 0 ? 0 : 0x50 + version), (byte)program.Length, .. program];
    }

    /// <summary>The minimal push of <paramref name="data"/> (up to 520 bytes, the script element limit).</summary>
    public static byte[] Push(ReadOnlySpan<byte> data) => data.Length switch
    {
        < 0x4c => [(byte)data.Length, .. data],
        <= 0xff => [0x4c, (byte)data.Length, .. data],
        <= 520 => [0x4d, (byte)data.Length, (byte)(data.Length >> 8), .. data],
        _ => throw new ArgumentException("a script push is at most 520 bytes", nameof(data)),
    };

    /// <summary>The minimal push of a small non-negative number: OP_0, OP_1…OP_16, else its CScriptNum bytes.</summary>
    public static byte[] Push(int number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        if (number == 0) return [0x00];
        if (number <= 16) return [(byte)(0x50 + number)];
        var bytes = new List<byte>();
        for (var n = number; n > 0; n >>= 8) bytes.Add((byte)(n & 0xff));
        if ((bytes[^1] & 0x80) != 0) bytes.Add(0); // the top bit is the sign
        return Push([.. bytes]);
    }

    /// <summary>A script that pushes each item minimally.</summary>
    public static byte[] Pushes(params byte[][] items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return [.. items.SelectMany(item => Push(item))];
    }

    private static void RequireHash(ReadOnlySpan<byte> hash160)
    {
        if (hash160.Length != 20) throw new ArgumentException("a HASH160 is 20 bytes");
    }

    public static bool IsP2pkh(ReadOnlySpan<byte> s) =>
        s.Length == 25 && s[0] == OpDup && s[1] == OpHash160 && s[2] == 20 && s[23] == OpEqualVerify && s[24] == OpCheckSig;

    public static bool IsP2sh(ReadOnlySpan<byte> s) => s.Length == 23 && s[0] == OpHash160 && s[1] == 20 && s[22] == OpEqual;

    /// <summary>Recognises OP_n &lt;2..40 bytes&gt;; version is 0..16.</summary>
    public static bool TryGetWitnessProgram(ReadOnlySpan<byte> s, out int version, out ReadOnlySpan<byte> program)
    {
        version = -1;
        program = default;
        if (s.Length is < 4 or > 42 || s[1] != s.Length - 2) return false;
        if (s[0] == 0) version = 0;
        else if (s[0] is >= 0x51 and <= 0x60) version = s[0] - 0x50;
        else return false;
        program = s[2..];
        return true;
    }

    public static bool IsP2wpkh(ReadOnlySpan<byte> s) => TryGetWitnessProgram(s, out var v, out var p) && v == 0 && p.Length == 20;

    public static bool IsP2tr(ReadOnlySpan<byte> s) => TryGetWitnessProgram(s, out var v, out var p) && v == 1 && p.Length == 32;
}
