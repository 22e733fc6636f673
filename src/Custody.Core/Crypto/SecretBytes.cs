using System.Security.Cryptography;

namespace Custody.Core.Crypto;

/// <summary>
/// A buffer of secret material (seed, private key, chain code) pinned so the GC
/// never leaves copies behind, and zeroed when disposed. It has no ToString of
/// its contents and no equality that could leak timing.
/// </summary>
public sealed class SecretBytes : IDisposable
{
    private readonly byte[] _buffer;
    private bool _disposed;

    public SecretBytes(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _buffer = GC.AllocateUninitializedArray<byte>(length, pinned: true);
        Array.Clear(_buffer);
    }

    /// <summary>Copies <paramref name="source"/>; the caller stays responsible for clearing its own copy.</summary>
    public static SecretBytes CopyFrom(ReadOnlySpan<byte> source)
    {
        var s = new SecretBytes(source.Length);
        source.CopyTo(s._buffer);
        return s;
    }

    public int Length => _buffer.Length;

    public ReadOnlySpan<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _buffer;
        }
    }

    public Span<byte> WritableSpan
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _buffer;
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        CryptographicOperations.ZeroMemory(_buffer);
        _disposed = true;
    }

    public override string ToString() => $"SecretBytes({_buffer.Length} bytes)";
}
