using System.Security.Cryptography;
using Custody.Core.Crypto;

namespace Custody.Core.Hd.Slip39;

/// <summary>One point of a sharing polynomial: x is the share index, y one byte per secret byte.</summary>
internal readonly record struct SharePoint(byte X, byte[] Y);

/// <summary>
/// Shamir's secret sharing over GF(256) as SLIP-39 defines it: the secret sits at
/// x = 255 and a digest share at x = 254 (the first 4 bytes of
/// HMAC-SHA256(key = random part, message = secret), followed by that random part),
/// so a recovery from a wrong set of shares is detected instead of silently
/// giving a different secret. A threshold of 1 is a plain copy and has no digest.
/// </summary>
internal static class Shamir
{
    public const byte DigestIndex = 254;
    public const byte SecretIndex = 255;
    public const int DigestLength = 4;
    public const int MaxShareCount = 16;

    /// <summary>Splits <paramref name="secret"/>; the caller zeroes the returned share values.</summary>
    public static SharePoint[] Split(int threshold, int shareCount, ReadOnlySpan<byte> secret, Func<int, byte[]> random)
    {
        if (threshold < 1 || threshold > shareCount)
            throw new ArgumentOutOfRangeException(nameof(threshold), "the threshold must be between 1 and the share count");
        if (shareCount > MaxShareCount)
            throw new ArgumentOutOfRangeException(nameof(shareCount), $"at most {MaxShareCount} shares");
        if (secret.Length < DigestLength)
            throw new ArgumentException("the secret is too short to carry a digest", nameof(secret));

        var shares = new SharePoint[shareCount];
        if (threshold == 1)
        {
            for (var i = 0; i < shareCount; i++)
                shares[i] = new SharePoint((byte)i, PinnedArray.CopyOf(secret));
            return shares;
        }

        // threshold - 2 shares are random; with the digest and the secret they fix the
        // polynomial of degree threshold - 1, and the remaining shares are read off it.
        var randomCount = threshold - 2;
        for (var i = 0; i < randomCount; i++)
            shares[i] = new SharePoint((byte)i, RandomBytes(random, secret.Length));

        var digestShare = PinnedArray.Allocate(secret.Length);
        var randomPart = RandomBytes(random, secret.Length - DigestLength);
        try
        {
            Digest(randomPart, secret).CopyTo(digestShare, 0);
            randomPart.CopyTo(digestShare, DigestLength);
            var basis = new SharePoint[threshold];
            Array.Copy(shares, basis, randomCount);
            basis[randomCount] = new SharePoint(DigestIndex, digestShare);
            basis[randomCount + 1] = new SharePoint(SecretIndex, PinnedArray.CopyOf(secret));
            try
            {
                for (var i = randomCount; i < shareCount; i++)
                    shares[i] = new SharePoint((byte)i, Interpolate(basis, (byte)i));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(basis[randomCount + 1].Y);
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(randomPart);
            CryptographicOperations.ZeroMemory(digestShare);
        }
        return shares;
    }

    /// <summary>
    /// Recovers the secret from at least <paramref name="threshold"/> points (more are
    /// used too: they must lie on the same polynomial, which the digest then checks).
    /// Returns null when the digest does not match — the points do not belong together.
    /// </summary>
    public static byte[]? Recover(int threshold, IReadOnlyList<SharePoint> points)
    {
        if (points.Count < threshold || points.Count == 0)
            throw new ArgumentException("fewer points than the threshold", nameof(points));
        if (threshold == 1)
        {
            // Every copy must be the same value; there is no digest to catch a stray one.
            for (var i = 1; i < points.Count; i++)
            {
                if (!CryptographicOperations.FixedTimeEquals(points[i].Y, points[0].Y))
                    return null;
            }
            return PinnedArray.CopyOf(points[0].Y);
        }

        var secret = Interpolate(points, SecretIndex);
        var digestShare = Interpolate(points, DigestIndex);
        try
        {
            var expected = Digest(digestShare.AsSpan(DigestLength), secret);
            if (CryptographicOperations.FixedTimeEquals(expected, digestShare.AsSpan(0, DigestLength)))
                return secret;
            CryptographicOperations.ZeroMemory(secret);
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(digestShare);
        }
    }

    /// <summary>The Lagrange polynomial through <paramref name="points"/>, evaluated at <paramref name="x"/>.</summary>
    public static byte[] Interpolate(IReadOnlyList<SharePoint> points, byte x)
    {
        var length = points[0].Y.Length;
        for (var i = 0; i < points.Count; i++)
        {
            if (points[i].Y.Length != length)
                throw new ArgumentException("share values differ in length", nameof(points));
            for (var j = 0; j < i; j++)
            {
                if (points[j].X == points[i].X)
                    throw new ArgumentException("two points share an index", nameof(points));
            }
        }

        foreach (var p in points)
        {
            if (p.X == x)
                return PinnedArray.CopyOf(p.Y);
        }

        var result = PinnedArray.Allocate(length);
        for (var i = 0; i < points.Count; i++)
        {
            // basis_i(x) = Π_{j≠i} (x − x_j) / (x_i − x_j); subtraction is XOR in GF(2^8).
            byte basis = 1;
            for (var j = 0; j < points.Count; j++)
            {
                if (j == i) continue;
                basis = Gf256.Multiply(basis, Gf256.Divide((byte)(x ^ points[j].X), (byte)(points[i].X ^ points[j].X)));
            }
            var y = points[i].Y;
            for (var k = 0; k < length; k++)
                result[k] ^= Gf256.Multiply(y[k], basis);
        }
        return result;
    }

    private static byte[] Digest(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(key, message, mac);
        var digest = mac[..DigestLength].ToArray();
        CryptographicOperations.ZeroMemory(mac);
        return digest;
    }

    internal static byte[] RandomBytes(Func<int, byte[]> random, int count)
    {
        var bytes = random(count);
        if (bytes is null || bytes.Length != count)
            throw new InvalidOperationException($"the random source returned {bytes?.Length ?? 0} bytes, {count} were asked for");
        return bytes;
    }
}
