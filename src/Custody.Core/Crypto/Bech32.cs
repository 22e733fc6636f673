namespace Custody.Core.Crypto;

/// <summary>The two checksum constants of BIP173 (Bech32) and BIP350 (Bech32m).</summary>
public enum Bech32Variant
{
    Bech32,
    Bech32m,
}

/// <summary>Bech32 / Bech32m strings (BIP173, BIP350) and segwit addresses on top of them.</summary>
public static class Bech32
{
    private const string Charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private const int MaxLength = 90;
    private const uint Bech32Constant = 1;
    private const uint Bech32mConstant = 0x2bc830a3;

    private static readonly sbyte[] CharValues = BuildCharValues();

    private static sbyte[] BuildCharValues()
    {
        var values = new sbyte[128];
        Array.Fill(values, (sbyte)-1);
        for (var i = 0; i < Charset.Length; i++)
        {
            values[Charset[i]] = (sbyte)i;
            values[char.ToUpperInvariant(Charset[i])] = (sbyte)i;
        }
        return values;
    }

    private static uint PolyMod(ReadOnlySpan<byte> values, uint chk = 1)
    {
        ReadOnlySpan<uint> gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
        foreach (var v in values)
        {
            var top = chk >> 25;
            chk = ((chk & 0x1ffffff) << 5) ^ v;
            for (var i = 0; i < 5; i++)
                if (((top >> i) & 1) != 0) chk ^= gen[i];
        }
        return chk;
    }

    private static uint HrpChecksumState(string hrp)
    {
        Span<byte> expanded = stackalloc byte[hrp.Length * 2 + 1];
        for (var i = 0; i < hrp.Length; i++)
        {
            expanded[i] = (byte)(hrp[i] >> 5);
            expanded[hrp.Length + 1 + i] = (byte)(hrp[i] & 31);
        }
        return PolyMod(expanded);
    }

    private static uint Constant(Bech32Variant variant) => variant == Bech32Variant.Bech32 ? Bech32Constant : Bech32mConstant;

    public static string Encode(string hrp, ReadOnlySpan<byte> data5Bit, Bech32Variant variant)
    {
        ArgumentException.ThrowIfNullOrEmpty(hrp);
        if (hrp.Length + 1 + data5Bit.Length + 6 > MaxLength)
            throw new InvalidInputException("bech32", $"longer than {MaxLength} characters");
        foreach (var c in hrp)
            if (c < 33 || c > 126 || char.IsAsciiLetterUpper(c))
                throw new InvalidInputException("bech32", "human-readable part must be lower-case printable ASCII");
        foreach (var d in data5Bit)
            if (d > 31) throw new InvalidInputException("bech32", "data values must be 5-bit");
        Span<byte> tail = stackalloc byte[data5Bit.Length + 6];
        data5Bit.CopyTo(tail);
        var mod = PolyMod(tail, HrpChecksumState(hrp)) ^ Constant(variant);
        var chars = new char[hrp.Length + 1 + data5Bit.Length + 6];
        hrp.CopyTo(chars);
        chars[hrp.Length] = '1';
        for (var i = 0; i < data5Bit.Length; i++) chars[hrp.Length + 1 + i] = Charset[data5Bit[i]];
        for (var i = 0; i < 6; i++) chars[hrp.Length + 1 + data5Bit.Length + i] = Charset[(int)((mod >> (5 * (5 - i))) & 31)];
        return new string(chars);
    }

    public static (string Hrp, byte[] Data5Bit, Bech32Variant Variant) Decode(string text)
    {
        static InvalidInputException Bad(string why) => new("bech32", why);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxLength) throw Bad($"longer than {MaxLength} characters");
        bool lower = false, upper = false;
        foreach (var c in text)
        {
            if (c < 33 || c > 126) throw Bad("contains a character outside printable ASCII");
            lower |= char.IsAsciiLetterLower(c);
            upper |= char.IsAsciiLetterUpper(c);
        }
        if (lower && upper) throw Bad("mixes upper and lower case");
        var separator = text.LastIndexOf('1');
        if (separator < 1) throw Bad("no human-readable part before the separator '1'");
        if (separator + 7 > text.Length) throw Bad("too short for a checksum");
        var hrp = text[..separator].ToLowerInvariant();
        var data = new byte[text.Length - separator - 1];
        for (var i = 0; i < data.Length; i++)
        {
            var c = text[separator + 1 + i];
            var v = CharValues[c];
            if (v < 0) throw Bad($"character {separator + 2 + i} is not in the Bech32 alphabet");
            data[i] = (byte)v;
        }
        var mod = PolyMod(data, HrpChecksumState(hrp));
        var variant = mod switch
        {
            Bech32Constant => Bech32Variant.Bech32,
            Bech32mConstant => Bech32Variant.Bech32m,
            _ => throw Bad("checksum mismatch (a mistyped character?)"),
        };
        return (hrp, data[..^6], variant);
    }

    /// <summary>Regroups bits, e.g. 8-bit bytes into 5-bit Bech32 values and back.</summary>
    public static byte[] ConvertBits(ReadOnlySpan<byte> data, int fromBits, int toBits, bool pad)
    {
        var acc = 0;
        var bits = 0;
        var maxValue = (1 << toBits) - 1;
        var result = new List<byte>(data.Length * fromBits / toBits + 1);
        foreach (var value in data)
        {
            if (value >> fromBits != 0) throw new InvalidInputException("bech32", $"value exceeds {fromBits} bits");
            acc = (acc << fromBits) | value;
            bits += fromBits;
            while (bits >= toBits)
            {
                bits -= toBits;
                result.Add((byte)((acc >> bits) & maxValue));
            }
        }
        if (pad)
        {
            if (bits > 0) result.Add((byte)((acc << (toBits - bits)) & maxValue));
        }
        else if (bits >= fromBits || ((acc << (toBits - bits)) & maxValue) != 0)
        {
            throw new InvalidInputException("bech32", "non-zero or excess padding bits");
        }
        return [.. result];
    }

    /// <summary>A segwit address: Bech32 for version 0, Bech32m for versions 1–16 (BIP350).</summary>
    public static string EncodeSegwitAddress(string hrp, int witnessVersion, ReadOnlySpan<byte> program)
    {
        CheckProgram(witnessVersion, program.Length);
        var data = new byte[1 + (program.Length * 8 + 4) / 5];
        data[0] = (byte)witnessVersion;
        ConvertBits(program, 8, 5, true).CopyTo(data, 1);
        return Encode(hrp, data, witnessVersion == 0 ? Bech32Variant.Bech32 : Bech32Variant.Bech32m);
    }

    public static (int Version, byte[] Program) DecodeSegwitAddress(string hrp, string address)
    {
        string decodedHrp;
        byte[] data;
        Bech32Variant variant;
        try
        {
            (decodedHrp, data, variant) = Decode(address);
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException("address", e.Reason);
        }
        if (decodedHrp != hrp)
            throw new InvalidInputException("address", $"belongs to another network (prefix '{decodedHrp}', expected '{hrp}')");
        if (data.Length == 0) throw new InvalidInputException("address", "no witness version");
        int version = data[0];
        if (version > 16) throw new InvalidInputException("address", $"witness version {version} is above 16");
        var expected = version == 0 ? Bech32Variant.Bech32 : Bech32Variant.Bech32m;
        if (variant != expected)
            throw new InvalidInputException("address", $"witness version {version} must use {expected} (BIP350)");
        byte[] program;
        try
        {
            program = ConvertBits(data.AsSpan(1), 5, 8, false);
        }
        catch (InvalidInputException e)
        {
            throw new InvalidInputException("address", e.Reason);
        }
        CheckProgram(version, program.Length);
        return (version, program);
    }

    private static void CheckProgram(int version, int length)
    {
        if (version is < 0 or > 16) throw new InvalidInputException("address", $"witness version {version} is out of range");
        if (length is < 2 or > 40) throw new InvalidInputException("address", $"witness program of {length} bytes (2 to 40 allowed)");
        if (version == 0 && length != 20 && length != 32)
            throw new InvalidInputException("address", $"version 0 witness program of {length} bytes (20 or 32 allowed)");
    }
}
