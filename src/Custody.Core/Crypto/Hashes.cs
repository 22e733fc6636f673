using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Digests;

namespace Custody.Core.Crypto;

/// <summary>The hash functions the chains use, one place for all of them.</summary>
public static class Hashes
{
    private static readonly ConcurrentDictionary<string, byte[]> TagPrefixes = new(StringComparer.Ordinal);

    public static byte[] Sha256(ReadOnlySpan<byte> data) => SHA256.HashData(data);

    /// <summary>SHA-256 of SHA-256: Bitcoin txids, Base58Check checksums.</summary>
    public static byte[] Sha256d(ReadOnlySpan<byte> data)
    {
        Span<byte> first = stackalloc byte[32];
        SHA256.HashData(data, first);
        return SHA256.HashData(first);
    }

    public static byte[] Sha512(ReadOnlySpan<byte> data) => SHA512.HashData(data);

    public static byte[] Ripemd160(ReadOnlySpan<byte> data)
    {
        var digest = new RipeMD160Digest();
        digest.BlockUpdate(data);
        var output = new byte[20];
        digest.DoFinal(output);
        return output;
    }

    /// <summary>RIPEMD-160 of SHA-256: Bitcoin key and script hashes.</summary>
    public static byte[] Hash160(ReadOnlySpan<byte> data)
    {
        Span<byte> sha = stackalloc byte[32];
        SHA256.HashData(data, sha);
        return Ripemd160(sha);
    }

    /// <summary>Keccak-256 as Ethereum uses it (the pre-standard padding, not SHA3-256).</summary>
    public static byte[] Keccak256(ReadOnlySpan<byte> data)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        var output = new byte[32];
        digest.DoFinal(output);
        return output;
    }

    /// <summary>BIP340 tagged hash: SHA256(SHA256(tag) ‖ SHA256(tag) ‖ data).</summary>
    public static byte[] TaggedHash(string tag, ReadOnlySpan<byte> data)
    {
        var prefix = TagPrefixes.GetOrAdd(tag, static t =>
        {
            var h = SHA256.HashData(Encoding.UTF8.GetBytes(t));
            return [.. h, .. h];
        });
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(prefix);
        sha.AppendData(data);
        return sha.GetHashAndReset();
    }
}
