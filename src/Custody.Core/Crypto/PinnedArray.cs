namespace Custody.Core.Crypto;

/// <summary>
/// Plain arrays for secret bytes where an API needs a byte[] (share values, scratch space, random bytes
/// handed out): pinned, so that a collection never moves one and leaves a copy behind while it is in
/// use. Whoever holds one zeroes it; <see cref="SecretBytes"/> is the buffer that zeroes itself.
/// </summary>
public static class PinnedArray
{
    public static byte[] Allocate(int length) => GC.AllocateArray<byte>(length, pinned: true);

    public static byte[] CopyOf(ReadOnlySpan<byte> secret)
    {
        var copy = Allocate(secret.Length);
        secret.CopyTo(copy);
        return copy;
    }
}
