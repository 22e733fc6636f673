using Custody.Core.Crypto;
using Custody.Hsm.Pkcs11;

namespace Custody.Hsm;

/// <summary>C_GenerateRandom through the session pool, in chunks so one call never asks the token for megabytes.</summary>
internal sealed class HsmRandom(TokenSessionPool pool) : IHsmRandom
{
    private const int ChunkLength = 64 * 1024;

    public void Fill(Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            // Random bytes are often a seed: they arrive in a pinned buffer of ours, zeroed once copied.
            using var chunk = SecretBuffer.Allocate(Math.Min(destination.Length, ChunkLength));
            pool.Execute("generate random", s =>
            {
                s.Session.FillRandom(chunk.Bytes);
                return true;
            });
            chunk.Bytes.CopyTo(destination);
            destination = destination[chunk.Bytes.Length..];
        }
    }

    public byte[] GetBytes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var bytes = PinnedArray.Allocate(count); // callers use them as secrets too (SLIP-39 share coefficients)
        Fill(bytes);
        return bytes;
    }
}
