using System.Security.Cryptography;

namespace Custody.Hsm.Pkcs11;

/// <summary>
/// A PIN on its way to C_Login / C_InitToken / C_InitPIN: a pinned array of exactly the PIN's
/// length (Pkcs11Interop takes a byte[] and passes its length), zeroed on dispose.
/// </summary>
internal sealed class PinBuffer : IDisposable
{
    private PinBuffer(int length) => Bytes = GC.AllocateArray<byte>(length, pinned: true);

    public byte[] Bytes { get; }

    public static PinBuffer Allocate(int length) => new(length);

    public static PinBuffer CopyOf(ReadOnlySpan<byte> pin, PinSource source)
    {
        if (pin.IsEmpty)
            throw new HsmException(HsmError.Configuration, $"{source} is empty");
        var buffer = new PinBuffer(pin.Length);
        pin.CopyTo(buffer.Bytes);
        return buffer;
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(Bytes);

    public override string ToString() => "PinBuffer";
}
