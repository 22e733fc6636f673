using System.Security.Cryptography;
using System.Text;
using Custody.Core.Crypto;

namespace Custody.Core.Hd.Slip39;

/// <summary>
/// One SLIP-39 share, as read from or written to its mnemonic:
/// identifier (15 bits) ‖ extendable (1) ‖ iteration exponent (4) ‖ group index (4) ‖
/// group threshold − 1 (4) ‖ group count − 1 (4) ‖ member index (4) ‖
/// member threshold − 1 (4) ‖ share value padded with leading zeros to 10-bit words ‖
/// RS1024 checksum (3 words). The share value is secret and zeroed on dispose.
/// Errors name the field the caller gives (e.g. "shares[2]") and never quote words.
/// </summary>
public sealed class Slip39Share : IDisposable
{
    public const int RadixBits = 10;
    public const int HeaderWords = 4;
    public const int MetadataWords = HeaderWords + Rs1024.ChecksumWords;
    public const int MinSecretBytes = 16;
    /// <summary>Our bound, not the spec's: the master secret is a BIP32 seed, at most 64 bytes.</summary>
    public const int MaxSecretBytes = 64;
    public const int MinWords = MetadataWords + (MinSecretBytes * 8 + RadixBits - 1) / RadixBits;
    public const int MaxWords = MetadataWords + (MaxSecretBytes * 8 + RadixBits - 1) / RadixBits;
    private const int MaxMnemonicChars = MaxWords * 16;

    private readonly SecretBytes _value;

    internal Slip39Share(int identifier, bool extendable, int iterationExponent, int groupIndex, int groupThreshold,
        int groupCount, int memberIndex, int memberThreshold, ReadOnlySpan<byte> value)
    {
        Identifier = identifier;
        Extendable = extendable;
        IterationExponent = iterationExponent;
        GroupIndex = groupIndex;
        GroupThreshold = groupThreshold;
        GroupCount = groupCount;
        MemberIndex = memberIndex;
        MemberThreshold = memberThreshold;
        _value = SecretBytes.CopyFrom(value);
    }

    /// <summary>The random 15-bit identifier common to all shares of one backup.</summary>
    public int Identifier { get; }
    public bool Extendable { get; }
    public int IterationExponent { get; }
    /// <summary>Zero-based, as encoded; shown to people as GroupIndex + 1.</summary>
    public int GroupIndex { get; }
    public int GroupThreshold { get; }
    public int GroupCount { get; }
    /// <summary>Zero-based, as encoded; shown to people as MemberIndex + 1.</summary>
    public int MemberIndex { get; }
    public int MemberThreshold { get; }
    public int ValueLength => _value.Length;

    internal ReadOnlySpan<byte> Value => _value.Span;

    /// <summary>Decodes and checks one mnemonic: words, checksum, length, padding and header.</summary>
    public static Slip39Share Parse(string mnemonic, string field = "mnemonic") =>
        Parse((mnemonic ?? "").AsSpan(), field);

    /// <summary>
    /// Decodes a mnemonic held in a span (e.g. a pinned buffer read from a file, which the
    /// caller clears), so that its words never become strings. Words are separated by any
    /// white space and matched in any letter case.
    /// </summary>
    public static Slip39Share Parse(ReadOnlySpan<char> mnemonic, string field = "mnemonic")
    {
        if (mnemonic.IsWhiteSpace())
            throw new InvalidInputException(field, "the share is empty");
        if (mnemonic.Length > MaxMnemonicChars)
            throw new InvalidInputException(field, $"the share is longer than any SLIP-39 share ({MaxWords} words at most)");

        var indexes = new int[MaxWords];
        var count = 0;
        try
        {
            var rest = mnemonic.TrimStart();
            while (!rest.IsEmpty)
            {
                var end = 0;
                while (end < rest.Length && !char.IsWhiteSpace(rest[end])) end++;
                if (count == MaxWords)
                    throw new InvalidInputException(field, $"a SLIP-39 share has at most {MaxWords} words here, this one has more");
                if (!Slip39WordList.TryGetIndex(rest[..end], out indexes[count]))
                    throw new InvalidInputException(field, $"word {count + 1} is not in the SLIP-39 word list");
                count++;
                rest = rest[end..].TrimStart();
            }
            if (count < MinWords)
                throw new InvalidInputException(field, $"a SLIP-39 share has at least {MinWords} words, this one has {count}");
            return FromWords(indexes.AsSpan(0, count), field);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(indexes.AsSpan()));
        }
    }

    private static Slip39Share FromWords(ReadOnlySpan<int> words, string field)
    {
        var extendable = ((words[1] >> 4) & 1) == 1;
        if (!Rs1024.Verify(Rs1024.CustomizationFor(extendable), words))
            throw new InvalidInputException(field, "the checksum does not match: a word is wrong, missing or out of order");

        var valueWords = words.Length - MetadataWords;
        var valueBits = valueWords * RadixBits;
        var paddingBits = valueBits % 16;
        if (paddingBits > 8)
            throw new InvalidInputException(field, $"{words.Length} words is not a valid SLIP-39 share length");
        var valueLength = (valueBits - paddingBits) / 8;
        if (valueLength < MinSecretBytes)
            throw new InvalidInputException(field, $"the share value is shorter than {MinSecretBytes} bytes");

        var identifier = (words[0] << 5) | (words[1] >> 5);
        var iterationExponent = words[1] & 0xF;
        var groupIndex = words[2] >> 6;
        var groupThreshold = ((words[2] >> 2) & 0xF) + 1;
        var groupCount = (((words[2] & 0x3) << 2) | (words[3] >> 8)) + 1;
        var memberIndex = (words[3] >> 4) & 0xF;
        var memberThreshold = (words[3] & 0xF) + 1;
        if (groupThreshold > groupCount)
            throw new InvalidInputException(field, $"the group threshold ({groupThreshold}) is greater than the group count ({groupCount})");
        if (groupIndex >= groupCount)
            throw new InvalidInputException(field, $"the group index ({groupIndex + 1}) is greater than the group count ({groupCount})");

        var value = PinnedArray.Allocate(valueLength);
        try
        {
            if (!UnpackValue(words.Slice(HeaderWords, valueWords), paddingBits, value))
                throw new InvalidInputException(field, "the padding bits of the share value are not zero");
            return new Slip39Share(identifier, extendable, iterationExponent, groupIndex, groupThreshold, groupCount,
                memberIndex, memberThreshold, value);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(value);
        }
    }

    /// <summary>The mnemonic of this share, words separated by single spaces.</summary>
    public string ToMnemonic()
    {
        var valueWords = (ValueLength * 8 + RadixBits - 1) / RadixBits;
        var words = new int[MetadataWords + valueWords];
        try
        {
            words[0] = Identifier >> 5;
            words[1] = ((Identifier & 0x1F) << 5) | ((Extendable ? 1 : 0) << 4) | IterationExponent;
            words[2] = (GroupIndex << 6) | ((GroupThreshold - 1) << 2) | ((GroupCount - 1) >> 2);
            words[3] = (((GroupCount - 1) & 0x3) << 8) | (MemberIndex << 4) | (MemberThreshold - 1);
            PackValue(Value, words.AsSpan(HeaderWords, valueWords));
            Rs1024.Create(Rs1024.CustomizationFor(Extendable), words.AsSpan(0, HeaderWords + valueWords), words.AsSpan(HeaderWords + valueWords));
            var text = new StringBuilder(words.Length * 9);
            for (var i = 0; i < words.Length; i++)
            {
                if (i > 0) text.Append(' ');
                text.Append(Slip39WordList.Word(words[i]));
            }
            return text.ToString();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(words.AsSpan()));
        }
    }

    /// <summary>
    /// Reads 10-bit words as one big-endian number into <paramref name="value"/>;
    /// false when the leading <paramref name="paddingBits"/> are not zero.
    /// </summary>
    private static bool UnpackValue(ReadOnlySpan<int> words, int paddingBits, Span<byte> value)
    {
        int accumulator = 0, bits = 0, written = 0, skip = paddingBits, padding = 0;
        foreach (var word in words)
        {
            accumulator = (accumulator << RadixBits) | word;
            bits += RadixBits;
            if (skip > 0)
            {
                padding |= accumulator >> (bits - skip);
                bits -= skip;
                accumulator &= (1 << bits) - 1;
                skip = 0;
            }
            while (bits >= 8)
            {
                bits -= 8;
                value[written++] = (byte)(accumulator >> bits);
                accumulator &= (1 << bits) - 1;
            }
        }
        return padding == 0;
    }

    private static void PackValue(ReadOnlySpan<byte> value, Span<int> words)
    {
        // Leading zero bits pad the value up to a whole number of words.
        var bits = words.Length * RadixBits - value.Length * 8;
        int accumulator = 0, index = 0;
        foreach (var b in value)
        {
            accumulator = (accumulator << 8) | b;
            bits += 8;
            while (bits >= RadixBits)
            {
                bits -= RadixBits;
                words[index++] = (accumulator >> bits) & 0x3FF;
                accumulator &= (1 << bits) - 1;
            }
        }
    }

    public void Dispose() => _value.Dispose();

    public override string ToString() =>
        $"Slip39Share(id {Identifier}, group {GroupIndex + 1}/{GroupCount} of threshold {GroupThreshold}, member {MemberIndex + 1} of threshold {MemberThreshold})";
}
