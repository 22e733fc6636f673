using System.Security.Cryptography;
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
            var count = Math.Min(destination.Length, ChunkLength);
            var chunk = pool.Execute("generate random", s => s.Session.GenerateRandom(count));
            try
            {
                if (chunk.Length != count)
                    throw new HsmException(HsmError.OperationFailed, $"token '{pool.TokenLabel}' returned {chunk.Length} random bytes instead of {count}");
                chunk.CopyTo(destination);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(chunk);
            }
            destination = destination[count..];
        }
    }

    public byte[] GetBytes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var bytes = new byte[count];
        Fill(bytes);
        return bytes;
    }
}
