using System.Security.Cryptography;
using Custody.Core.Crypto;

namespace Custody.Core.Hd.Bip39;

/// <summary>
/// The BIP39 mnemonic-to-seed function: PBKDF2-HMAC-SHA512, 2048 iterations, over the
/// NFKD-normalised sentence with the salt "mnemonic" + NFKD(passphrase).
/// </summary>
public static class Bip39Seed
{
    public const int Length = 64;
    private const int Iterations = 2048;
    private static readonly byte[] SaltPrefix = "mnemonic"u8.ToArray();

    /// <summary>
    /// The seed of a sentence in any BIP39 word list, without validating it against a list.
    /// Prefer <see cref="Mnemonic.ToSeed"/>, which checks words and checksum first.
    /// </summary>
    public static SecretBytes FromSentence(ReadOnlySpan<char> sentence, ReadOnlySpan<char> passphrase)
    {
        using var password = Nfkd.ToUtf8(sentence, "mnemonic");
        using var normalisedPassphrase = Nfkd.ToUtf8(passphrase, "passphrase");
        using var salt = new SecretBytes(SaltPrefix.Length + normalisedPassphrase.Length);
        SaltPrefix.CopyTo(salt.WritableSpan);
        normalisedPassphrase.Span.CopyTo(salt.WritableSpan[SaltPrefix.Length..]);
        var seed = new SecretBytes(Length);
        Rfc2898DeriveBytes.Pbkdf2(password.Span, salt.Span, seed.WritableSpan, Iterations, HashAlgorithmName.SHA512);
        return seed;
    }
}
