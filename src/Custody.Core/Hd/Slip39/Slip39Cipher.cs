using System.Security.Cryptography;
using System.Text;
using Custody.Core.Crypto;

namespace Custody.Core.Hd.Slip39;

/// <summary>
/// The passphrase encryption of SLIP-39: a four-round Feistel network whose round
/// function is PBKDF2-HMAC-SHA256(password = round index ‖ passphrase,
/// salt = salt prefix ‖ right half, 2500 × 2^e iterations). The salt prefix is
/// "shamir" ‖ identifier for plain shares and empty for extendable ones, so that
/// extendable shares can be added later under a new identifier.
/// Every passphrase decrypts to some secret: a wrong one gives a different wallet.
/// </summary>
internal static class Slip39Cipher
{
    private const int Rounds = 4;
    private const int BaseIterationCount = 10_000; // spread over the four rounds

    public static void Encrypt(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> passphrase, int iterationExponent, int identifier, bool extendable, Span<byte> result)
        => Feistel(secret, passphrase, iterationExponent, identifier, extendable, result, decrypt: false);

    public static void Decrypt(ReadOnlySpan<byte> encrypted, ReadOnlySpan<byte> passphrase, int iterationExponent, int identifier, bool extendable, Span<byte> result)
        => Feistel(encrypted, passphrase, iterationExponent, identifier, extendable, result, decrypt: true);

    private static void Feistel(ReadOnlySpan<byte> input, ReadOnlySpan<byte> passphrase, int iterationExponent, int identifier, bool extendable, Span<byte> result, bool decrypt)
    {
        if (input.Length % 2 != 0 || result.Length != input.Length)
            throw new ArgumentException("the secret must have an even length and the result the same length", nameof(input));
        var half = input.Length / 2;
        var iterations = (BaseIterationCount / Rounds) << iterationExponent;
        var saltPrefix = extendable ? [] : SaltPrefix(identifier);

        var buffer = PinnedArray.Allocate(input.Length + 1 + passphrase.Length + saltPrefix.Length + half + half);
        try
        {
            var left = buffer.AsSpan(0, half);
            var right = buffer.AsSpan(half, half);
            var password = buffer.AsSpan(input.Length, 1 + passphrase.Length);
            var salt = buffer.AsSpan(input.Length + password.Length, saltPrefix.Length + half);
            var f = buffer.AsSpan(input.Length + password.Length + salt.Length, half);
            input[..half].CopyTo(left);
            input[half..].CopyTo(right);
            passphrase.CopyTo(password[1..]);
            saltPrefix.CopyTo(salt);

            for (var round = 0; round < Rounds; round++)
            {
                password[0] = (byte)(decrypt ? Rounds - 1 - round : round);
                right.CopyTo(salt[saltPrefix.Length..]);
                Rfc2898DeriveBytes.Pbkdf2(password, salt, f, iterations, HashAlgorithmName.SHA256);
                // (L, R) ← (R, L ⊕ F(R)), done in place by swapping roles through f.
                for (var i = 0; i < half; i++)
                {
                    var l = left[i];
                    left[i] = right[i];
                    right[i] = (byte)(l ^ f[i]);
                }
            }
            // The output is R ‖ L.
            right.CopyTo(result);
            left.CopyTo(result[half..]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    private static byte[] SaltPrefix(int identifier)
    {
        var prefix = Encoding.ASCII.GetBytes("shamir");
        return [.. prefix, (byte)(identifier >> 8), (byte)identifier];
    }
}
