using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Custody.Core.Crypto;

namespace Custody.Core.Hd.Bip39;

/// <summary>
/// Unicode NFKD normalisation, which BIP39 applies to the mnemonic and the
/// passphrase before PBKDF2. .NET's string.Normalize does nothing under
/// InvariantGlobalization (our build setting), and a silently unnormalised
/// passphrase would derive a different wallet, so the table (nfkd.txt, generated
/// from the Unicode Character Database by scripts/gen-nfkd-table.py) travels with us.
/// The output is written to a pinned buffer the caller clears: passphrases are secret.
/// </summary>
internal static class Nfkd
{
    private static readonly Lazy<Tables> Data = new(Tables.Load);

    // Hangul syllables decompose algorithmically (Unicode §3.12).
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    /// <summary>True when NFKD leaves the text unchanged without looking anything up (pure ASCII).</summary>
    public static bool IsAscii(ReadOnlySpan<char> text) => Ascii.IsValid(text);

    /// <summary>
    /// NFKD of <paramref name="text"/> as UTF-8 in a pinned buffer. Throws
    /// InvalidInputException(<paramref name="field"/>) for a lone surrogate.
    /// </summary>
    public static SecretBytes ToUtf8(ReadOnlySpan<char> text, string field)
    {
        if (IsAscii(text))
        {
            var ascii = new SecretBytes(text.Length);
            Encoding.ASCII.GetBytes(text, ascii.WritableSpan);
            return ascii;
        }
        var codePoints = Decompose(text, field);
        try
        {
            var length = 0;
            foreach (var cp in codePoints) length += new Rune(cp).Utf8SequenceLength;
            var utf8 = new SecretBytes(length);
            var target = utf8.WritableSpan;
            foreach (var cp in codePoints) target = target[new Rune(cp).EncodeToUtf8(target)..];
            return utf8;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(codePoints.AsSpan()));
        }
    }

    /// <summary>
    /// NFKD as UTF-16 in a pinned array the caller must clear.
    /// </summary>
    public static char[] ToChars(ReadOnlySpan<char> text, string field)
    {
        if (IsAscii(text))
        {
            var copy = GC.AllocateUninitializedArray<char>(text.Length, pinned: true);
            text.CopyTo(copy);
            return copy;
        }
        var codePoints = Decompose(text, field);
        try
        {
            var length = 0;
            foreach (var cp in codePoints) length += new Rune(cp).Utf16SequenceLength;
            var chars = GC.AllocateUninitializedArray<char>(length, pinned: true);
            var target = chars.AsSpan();
            foreach (var cp in codePoints) target = target[new Rune(cp).EncodeToUtf16(target)..];
            return chars;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(codePoints.AsSpan()));
        }
    }

    // Full decomposition of every code point, then the canonical ordering of each run of
    // non-starters. Two passes (count, then fill) so the secret never sits in a grown-and-
    // abandoned buffer.
    private static int[] Decompose(ReadOnlySpan<char> text, string field)
    {
        var tables = Data.Value;
        var count = 0;
        for (var rest = text; !rest.IsEmpty;)
            count += DecomposedLength(tables, NextRune(ref rest, field));
        var output = GC.AllocateUninitializedArray<int>(count, pinned: true);
        var position = 0;
        for (var rest = text; !rest.IsEmpty;)
            position += WriteDecomposition(tables, NextRune(ref rest, field), output.AsSpan(position));
        ReorderCanonically(tables, output);
        return output;
    }

    private static int NextRune(ref ReadOnlySpan<char> text, string field)
    {
        if (Rune.DecodeFromUtf16(text, out var rune, out var consumed) != OperationStatus.Done)
            throw new InvalidInputException(field, "is not valid Unicode text (lone surrogate)");
        text = text[consumed..];
        return rune.Value;
    }

    private static int DecomposedLength(Tables tables, int cp)
    {
        if (cp is >= SBase and < SBase + SCount) return (cp - SBase) % TCount == 0 ? 2 : 3;
        return tables.Decompositions.TryGetValue(cp, out var d) ? d.Length : 1;
    }

    private static int WriteDecomposition(Tables tables, int cp, Span<int> target)
    {
        if (cp is >= SBase and < SBase + SCount)
        {
            var s = cp - SBase;
            target[0] = LBase + s / NCount;
            target[1] = VBase + s % NCount / TCount;
            if (s % TCount == 0) return 2;
            target[2] = TBase + s % TCount;
            return 3;
        }
        if (tables.Decompositions.TryGetValue(cp, out var d))
        {
            d.CopyTo(target);
            return d.Length;
        }
        target[0] = cp;
        return 1;
    }

    // Stable insertion sort of each run of non-starters by combining class (Unicode §3.11).
    private static void ReorderCanonically(Tables tables, Span<int> cps)
    {
        for (var i = 1; i < cps.Length; i++)
        {
            var cls = tables.CombiningClass(cps[i]);
            if (cls == 0) continue;
            var current = cps[i];
            var j = i;
            while (j > 0 && tables.CombiningClass(cps[j - 1]) > cls)
            {
                cps[j] = cps[j - 1];
                j--;
            }
            cps[j] = current;
        }
    }

    private sealed class Tables
    {
        public required Dictionary<int, int[]> Decompositions { get; init; }
        public required int[] ClassStarts { get; init; }
        public required int[] ClassEnds { get; init; }
        public required byte[] Classes { get; init; }

        public int CombiningClass(int cp)
        {
            var i = Array.BinarySearch(ClassStarts, cp);
            if (i < 0) i = ~i - 1;
            return i >= 0 && cp <= ClassEnds[i] ? Classes[i] : 0;
        }

        public static Tables Load()
        {
            using var stream = typeof(Nfkd).Assembly.GetManifestResourceStream("Custody.Core.Hd.Bip39.nfkd.txt")
                ?? throw new InvalidOperationException("embedded NFKD table is missing");
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var decompositions = new Dictionary<int, int[]>();
            List<int> starts = [], ends = [];
            List<byte> classes = [];
            while (reader.ReadLine() is { } line)
            {
                if (line.Length == 0 || line[0] == '#') continue;
                var parts = line.Split(' ');
                if (parts[0] == "D")
                    decompositions.Add(Hex(parts[1]), parts[2..].Select(Hex).ToArray());
                else
                {
                    starts.Add(Hex(parts[1]));
                    ends.Add(Hex(parts[2]));
                    classes.Add(byte.Parse(parts[3], CultureInfo.InvariantCulture));
                }
            }
            return new Tables { Decompositions = decompositions, ClassStarts = [.. starts], ClassEnds = [.. ends], Classes = [.. classes] };
        }

        private static int Hex(string s) => int.Parse(s, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
