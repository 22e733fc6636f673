using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using Net.Pkcs11Interop.HighLevelAPI.Factories;
using LowLevel = Net.Pkcs11Interop.LowLevelAPI80;

namespace Custody.Hsm.Pkcs11;

/// <summary>
/// A Pkcs11Interop session whose calls that carry secrets go to the raw PKCS#11 functions with buffers
/// we own. Pkcs11Interop's own Decrypt allocates its output at the ciphertext's length and returns a
/// resized copy, so the plaintext stays behind in an array nobody zeroes, and its GenerateRandom returns
/// a fresh array the GC may move. Pkcs11Interop makes its sessions through a factory
/// (<see cref="CreateFactories"/>), which is how this one takes their place; everything else is inherited.
/// </summary>
internal sealed class OwnedBufferSession : Net.Pkcs11Interop.HighLevelAPI80.Session
{
    private delegate CKR OperationInit(ulong session, ref LowLevel.CK_MECHANISM mechanism, ulong key);

    private delegate CKR Operation(ulong session, byte[] input, ulong inputLength, byte[]? output, ref ulong outputLength);

    private OwnedBufferSession(Pkcs11InteropFactories factories, LowLevel.Pkcs11Library library, ulong sessionId)
        : base(factories, library, sessionId)
    {
    }

    /// <summary>Pkcs11Interop's factories with this session in place of its own.</summary>
    public static Pkcs11InteropFactories CreateFactories()
    {
        // The raw functions come in one flavour per C ABI; Custody runs on 64-bit Linux (CK_ULONG of 8 bytes, natural packing).
        if (Platform.NativeULongSize != 8 || Platform.StructPackingSize != 0)
            throw new HsmException(HsmError.Configuration,
                $"Custody calls PKCS#11 with 8-byte CK_ULONG and natural struct packing (64-bit Linux); this platform has {Platform.NativeULongSize}-byte CK_ULONG and packing {Platform.StructPackingSize}");
        return new Pkcs11InteropFactories(null, null, new SessionFactory(), null, null, null, null);
    }

    /// <summary>C_Encrypt of a secret we hold in a pinned buffer; the module reads it in place. The ciphertext is not secret.</summary>
    public byte[] EncryptSecret(IMechanism mechanism, IObjectHandle key, SecretBuffer plaintext)
    {
        using var output = Run(_pkcs11Library.C_EncryptInit, _pkcs11Library.C_Encrypt, "C_Encrypt", mechanism, key, plaintext.Bytes, out var length);
        return output.Bytes.AsSpan(0, length).ToArray();
    }

    /// <summary>
    /// C_Decrypt into a pinned buffer of the length the module asks for (AES-GCM: the ciphertext's, tag
    /// included); the plaintext is its first <paramref name="length"/> bytes. The caller disposes it,
    /// which zeroes all of it; on failure it is zeroed before the exception leaves.
    /// </summary>
    public SecretBuffer DecryptSecret(IMechanism mechanism, IObjectHandle key, byte[] ciphertext, out int length) =>
        Run(_pkcs11Library.C_DecryptInit, _pkcs11Library.C_Decrypt, "C_Decrypt", mechanism, key, ciphertext, out length);

    /// <summary>C_GenerateRandom straight into <paramref name="output"/>, all of it.</summary>
    public void FillRandom(byte[] output)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Check(_pkcs11Library.C_GenerateRandom(_sessionId, output, (ulong)output.Length), "C_GenerateRandom");
    }

    /// <summary>
    /// Whether the token would hand out <paramref name="attribute"/> of an object, asked with a length
    /// query (C_GetAttributeValue without a buffer), so a readable secret is never fetched to find out.
    /// </summary>
    public bool CanRead(IObjectHandle handle, CKA attribute)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        LowLevel.CK_ATTRIBUTE[] template = [LowLevel.CkaUtils.CreateAttribute(attribute)];
        var rv = _pkcs11Library.C_GetAttributeValue(_sessionId, handle.ObjectId, template, 1);
        if (rv is CKR.CKR_ATTRIBUTE_SENSITIVE or CKR.CKR_ATTRIBUTE_TYPE_INVALID) return false;
        Check(rv, "C_GetAttributeValue");
        return template[0].valueLen != CK.CK_UNAVAILABLE_INFORMATION_8;
    }

    // One single-part operation: init, ask the output length, run it into a pinned buffer of that length.
    private SecretBuffer Run(OperationInit init, Operation operation, string name, IMechanism mechanism, IObjectHandle key, byte[] input, out int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var ckMechanism = (LowLevel.CK_MECHANISM)mechanism.ToMarshalableStructure();
        Check(init(_sessionId, ref ckMechanism, key.ObjectId), name + "Init");
        var outputLength = 0UL;
        Check(operation(_sessionId, input, (ulong)input.Length, null, ref outputLength), name); // the length query keeps the operation active
        var output = SecretBuffer.Allocate(checked((int)outputLength));
        try
        {
            Check(operation(_sessionId, input, (ulong)input.Length, output.Bytes, ref outputLength), name);
            length = checked((int)outputLength);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    private static void Check(CKR rv, string function)
    {
        if (rv != CKR.CKR_OK) throw new Pkcs11Exception(function, rv);
    }

    private sealed class SessionFactory : ISessionFactory
    {
        public ISession Create(Pkcs11InteropFactories factories, LowLevelPkcs11Library pkcs11Library, ulong sessionId) =>
            new OwnedBufferSession(factories, (LowLevel.Pkcs11Library)pkcs11Library, sessionId);
    }
}
