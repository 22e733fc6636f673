using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Custody.Core.Crypto;

namespace Custody.Core.Hd.Bip39;

/// <summary>
/// A valid BIP39 English mnemonic, held as its word indexes in a pinned buffer that
/// Dispose clears. Words are matched after NFKD and ASCII lower-casing and may be
/// separated by any white space; the seed is always computed from the canonical
/// sentence (lower-case words joined by one space), which is what a wallet that takes
/// the words one by one produces. Errors name the position of a bad word, never the word.
/// </summary>
public sealed class Mnemonic : IDisposable
{
    private const string Field = "mnemonic";
    private const int MaxTextLength = 4096; // 24 words need ~220 characters; this bounds the work on junk input
    private static readonly int[] WordCounts = [12, 15, 18, 21, 24];

    private readonly int[] _indexes;
    private bool _disposed;

    private Mnemonic(int[] indexes) => _indexes = indexes;

    public int WordCount => _indexes.Length;

    /// <summary>The mnemonic for 16, 20, 24, 28 or 32 bytes of entropy (12 to 24 words).</summary>
    public static Mnemonic FromEntropy(ReadOnlySpan<byte> entropy)
    {
        if (entropy.Length is not (16 or 20 or 24 or 28 or 32))
            throw new InvalidInputException("entropy", $"is {entropy.Length} bytes; BIP39 takes 16, 20, 24, 28 or 32");
        // entropy ‖ checksum: the checksum is the first ENT/32 bits (at most 8) of SHA-256(entropy).
        Span<byte> bits = stackalloc byte[33];
        Span<byte> hash = stackalloc byte[32];
        try
        {
            entropy.CopyTo(bits);
            SHA256.HashData(entropy, hash);
            bits[entropy.Length] = hash[0];
            var indexes = NewIndexBuffer(entropy.Length * 8 * 33 / 32 / 11);
            for (var i = 0; i < indexes.Length; i++) indexes[i] = ReadBits(bits, i * 11, 11);
            return new Mnemonic(indexes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bits);
            CryptographicOperations.ZeroMemory(hash);
        }
    }

    /// <summary>Parses and validates a mnemonic (word count, word list, checksum).</summary>
    public static Mnemonic Parse(ReadOnlySpan<char> text)
    {
        if (text.Length > MaxTextLength)
            throw new InvalidInputException(Field, $"longer than {MaxTextLength} characters");
        var wordlist = Bip39Wordlist.English;
        var normalised = Nfkd.ToChars(text, Field);
        try
        {
            var count = CountWords(normalised);
            if (Array.IndexOf(WordCounts, count) < 0)
                throw new InvalidInputException(Field, $"has {count} words; a BIP39 mnemonic has 12, 15, 18, 21 or 24");
            var indexes = NewIndexBuffer(count);
            try
            {
                Span<char> lower = stackalloc char[wordlist.MaxWordLength];
                var position = 0;
                foreach (var range in SplitWords(normalised))
                {
                    var word = normalised.AsSpan(range);
                    var known = word.Length <= lower.Length &&
                                Ascii.ToLower(word, lower, out var written) == OperationStatus.Done &&
                                wordlist.TryGetIndex(lower[..written], out indexes[position]);
                    lower.Clear();
                    if (!known)
                        throw new InvalidInputException(Field,
                            $"word {(position + 1).ToString(CultureInfo.InvariantCulture)} is not in the BIP39 English word list");
                    position++;
                }
                var mnemonic = new Mnemonic(indexes);
                if (!mnemonic.ChecksumMatches())
                    throw new InvalidInputException(Field, "checksum does not match: a word is wrong or words are out of order");
                return mnemonic;
            }
            catch
            {
                CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(indexes.AsSpan()));
                throw;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(normalised.AsSpan()));
        }
    }

    /// <summary>The entropy the words encode (16 to 32 bytes).</summary>
    public SecretBytes ToEntropy()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Span<byte> bits = stackalloc byte[33];
        try
        {
            PackBits(bits);
            return SecretBytes.CopyFrom(bits[..EntropyLength]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bits);
        }
    }

    /// <summary>The 64-byte BIP39 seed for this mnemonic and <paramref name="passphrase"/> (may be empty).</summary>
    public SecretBytes ToSeed(ReadOnlySpan<char> passphrase)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var wordlist = Bip39Wordlist.English;
        var length = _indexes.Length - 1;
        foreach (var index in _indexes) length += wordlist[index].Length;
        var sentence = GC.AllocateUninitializedArray<char>(length, pinned: true);
        try
        {
            var target = sentence.AsSpan();
            for (var i = 0; i < _indexes.Length; i++)
            {
                if (i > 0)
                {
                    target[0] = ' ';
                    target = target[1..];
                }
                var word = wordlist[_indexes[i]];
                word.CopyTo(target);
                target = target[word.Length..];
            }
            return Bip39Seed.FromSentence(sentence, passphrase);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(sentence.AsSpan()));
        }
    }

    /// <summary>The word at <paramref name="position"/> (0-based), for showing to an operator in a ceremony.</summary>
    public string GetWord(int position)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Bip39Wordlist.English[_indexes[position]];
    }

    public void Dispose()
    {
        if (_disposed) return;
        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(_indexes.AsSpan()));
        _disposed = true;
    }

    public override string ToString() => $"Mnemonic({_indexes.Length} words)";

    private int EntropyLength => _indexes.Length * 11 * 32 / 33 / 8;

    private bool ChecksumMatches()
    {
        Span<byte> bits = stackalloc byte[33];
        Span<byte> hash = stackalloc byte[32];
        try
        {
            PackBits(bits);
            var entropyLength = EntropyLength;
            var checksumBits = entropyLength / 4;
            SHA256.HashData(bits[..entropyLength], hash);
            return hash[0] >> (8 - checksumBits) == ReadBits(bits, entropyLength * 8, checksumBits);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bits);
            CryptographicOperations.ZeroMemory(hash);
        }
    }

    private void PackBits(Span<byte> bits)
    {
        bits.Clear();
        for (var i = 0; i < _indexes.Length; i++)
            for (var b = 0; b < 11; b++)
                if ((_indexes[i] >> (10 - b) & 1) != 0)
                {
                    var bit = i * 11 + b;
                    bits[bit / 8] |= (byte)(0x80 >> (bit % 8));
                }
    }

    private static int ReadBits(ReadOnlySpan<byte> bits, int offset, int count)
    {
        var value = 0;
        for (var b = offset; b < offset + count; b++)
            value = value << 1 | (bits[b / 8] >> (7 - b % 8) & 1);
        return value;
    }

    private static int[] NewIndexBuffer(int count) => GC.AllocateArray<int>(count, pinned: true);

    private static int CountWords(ReadOnlySpan<char> text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
            if (!char.IsWhiteSpace(text[i]) && (i == 0 || char.IsWhiteSpace(text[i - 1]))) count++;
        return count;
    }

    private static IEnumerable<Range> SplitWords(char[] text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var space = i == text.Length || char.IsWhiteSpace(text[i]);
            if (!space && start < 0) start = i;
            else if (space && start >= 0)
            {
                yield return start..i;
                start = -1;
            }
        }
    }
}
