using System.Security.Cryptography;
using Custody.Core.Crypto;

namespace Custody.Hsm.Pkcs11;

/// <summary>
/// Secret bytes on their way into or out of a PKCS#11 call (a PIN, a seed to seal, a plaintext, random
/// bytes): a pinned array, so the GC never moves it and leaves a copy behind, which Pkcs11Interop's
/// byte[] parameters take as they are (it passes the array's length where a PIN's length is meant).
/// Zeroed in full on dispose.
/// </summary>
internal sealed class SecretBuffer : IDisposable
{
    private SecretBuffer(byte[] pinned) => Bytes = pinned;

    public byte[] Bytes { get; }

    public static SecretBuffer Allocate(int length) => new(PinnedArray.Allocate(length));

    public static SecretBuffer CopyOf(ReadOnlySpan<byte> secret) => new(PinnedArray.CopyOf(secret));

    public void Dispose() => CryptographicOperations.ZeroMemory(Bytes);

    public override string ToString() => $"SecretBuffer({Bytes.Length} bytes)";
}
