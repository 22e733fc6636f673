using System.Reflection;
using System.Runtime.InteropServices;

namespace Custody.Core.Crypto;

/// <summary>
/// P/Invoke surface of libsecp256k1 (Bitcoin Core's constant-time library, Debian's
/// libsecp256k1-1 with the recovery, extrakeys and schnorrsig modules). Opaque
/// structs are passed as byte buffers of their documented sizes.
/// </summary>
internal static unsafe partial class Secp256k1Native
{
    private const string Library = "secp256k1";

    public const int PubKeySize = 64;           // secp256k1_pubkey
    public const int SignatureSize = 64;        // secp256k1_ecdsa_signature
    public const int RecoverableSignatureSize = 65;
    public const int XOnlyPubKeySize = 64;      // secp256k1_xonly_pubkey
    public const int KeyPairSize = 96;          // secp256k1_keypair

    public const uint ContextSignVerify = (1 << 0) | (1 << 9) | (1 << 8);
    public const uint Compressed = (1 << 1) | (1 << 8);
    public const uint Uncompressed = 1 << 1;

    static Secp256k1Native() =>
        NativeLibrary.SetDllImportResolver(typeof(Secp256k1Native).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library) return IntPtr.Zero;
        foreach (var candidate in new[] { "libsecp256k1.so.2", "libsecp256k1.so.1", "libsecp256k1.so", "libsecp256k1.dylib", "secp256k1" })
            if (NativeLibrary.TryLoad(candidate, assembly, path, out var handle)) return handle;
        throw new DllNotFoundException(
            "libsecp256k1 was not found; install it (Debian: apt-get install libsecp256k1-1), as scripts/deps.sh does");
    }

    [LibraryImport(Library, EntryPoint = "secp256k1_context_create")]
    public static partial IntPtr ContextCreate(uint flags);

    [LibraryImport(Library, EntryPoint = "secp256k1_context_randomize")]
    public static partial int ContextRandomize(IntPtr ctx, byte* seed32);

    [LibraryImport(Library, EntryPoint = "secp256k1_ec_seckey_verify")]
    public static partial int SecKeyVerify(IntPtr ctx, byte* seckey);

    [LibraryImport(Library, EntryPoint = "secp256k1_ec_seckey_tweak_add")]
    public static partial int SecKeyTweakAdd(IntPtr ctx, byte* seckey, byte* tweak32);

    [LibraryImport(Library, EntryPoint = "secp256k1_ec_pubkey_create")]
    public static partial int PubKeyCreate(IntPtr ctx, byte* pubkey, byte* seckey);

    [LibraryImport(Library, EntryPoint = "secp256k1_ec_pubkey_parse")]
    public static partial int PubKeyParse(IntPtr ctx, byte* pubkey, byte* input, nuint inputLength);

    [LibraryImport(Library, EntryPoint = "secp256k1_ec_pubkey_serialize")]
    public static partial int PubKeySerialize(IntPtr ctx, byte* output, nuint* outputLength, byte* pubkey, uint flags);

    [LibraryImport(Library, EntryPoint = "secp256k1_ec_pubkey_tweak_add")]
    public static partial int PubKeyTweakAdd(IntPtr ctx, byte* pubkey, byte* tweak32);

    [LibraryImport(Library, EntryPoint = "secp256k1_ecdsa_signature_parse_compact")]
    public static partial int SignatureParseCompact(IntPtr ctx, byte* sig, byte* input64);

    [LibraryImport(Library, EntryPoint = "secp256k1_ecdsa_signature_serialize_compact")]
    public static partial int SignatureSerializeCompact(IntPtr ctx, byte* output64, byte* sig);

    [LibraryImport(Library, EntryPoint = "secp256k1_ecdsa_signature_normalize")]
    public static partial int SignatureNormalize(IntPtr ctx, byte* sigOut, byte* sigIn);

    [LibraryImport(Library, EntryPoint = "secp256k1_ecdsa_verify")]
    public static partial int EcdsaVerify(IntPtr ctx, byte* sig, byte* msghash32, byte* pubkey);

    [LibraryImport(Library, EntryPoint = "secp256k1_ecdsa_sign_recoverable")]
    public static partial int EcdsaSignRecoverable(IntPtr ctx, byte* sig, byte* msghash32, byte* seckey, IntPtr nonceFunction, IntPtr nonceData);

    [LibraryImport(Library, EntryPoint = "secp256k1_ecdsa_recoverable_signature_serialize_compact")]
    public static partial int RecoverableSerializeCompact(IntPtr ctx, byte* output64, int* recid, byte* sig);

    [LibraryImport(Library, EntryPoint = "secp256k1_ecdsa_recoverable_signature_parse_compact")]
    public static partial int RecoverableParseCompact(IntPtr ctx, byte* sig, byte* input64, int recid);

    [LibraryImport(Library, EntryPoint = "secp256k1_ecdsa_recover")]
    public static partial int EcdsaRecover(IntPtr ctx, byte* pubkey, byte* sig, byte* msghash32);

    [LibraryImport(Library, EntryPoint = "secp256k1_keypair_create")]
    public static partial int KeyPairCreate(IntPtr ctx, byte* keypair, byte* seckey);

    [LibraryImport(Library, EntryPoint = "secp256k1_keypair_sec")]
    public static partial int KeyPairSec(IntPtr ctx, byte* seckey, byte* keypair);

    [LibraryImport(Library, EntryPoint = "secp256k1_keypair_xonly_pub")]
    public static partial int KeyPairXOnlyPub(IntPtr ctx, byte* xonly, int* parity, byte* keypair);

    [LibraryImport(Library, EntryPoint = "secp256k1_keypair_xonly_tweak_add")]
    public static partial int KeyPairXOnlyTweakAdd(IntPtr ctx, byte* keypair, byte* tweak32);

    [LibraryImport(Library, EntryPoint = "secp256k1_xonly_pubkey_parse")]
    public static partial int XOnlyParse(IntPtr ctx, byte* xonly, byte* input32);

    [LibraryImport(Library, EntryPoint = "secp256k1_xonly_pubkey_serialize")]
    public static partial int XOnlySerialize(IntPtr ctx, byte* output32, byte* xonly);

    [LibraryImport(Library, EntryPoint = "secp256k1_xonly_pubkey_tweak_add")]
    public static partial int XOnlyTweakAdd(IntPtr ctx, byte* outputPubKey, byte* internalXOnly, byte* tweak32);

    [LibraryImport(Library, EntryPoint = "secp256k1_xonly_pubkey_from_pubkey")]
    public static partial int XOnlyFromPubKey(IntPtr ctx, byte* xonly, int* parity, byte* pubkey);

    [LibraryImport(Library, EntryPoint = "secp256k1_schnorrsig_sign_custom")]
    public static partial int SchnorrSignCustom(IntPtr ctx, byte* sig64, byte* msg, nuint msgLength, byte* keypair, byte* extraParams);

    [LibraryImport(Library, EntryPoint = "secp256k1_schnorrsig_verify")]
    public static partial int SchnorrVerify(IntPtr ctx, byte* sig64, byte* msg, nuint msgLength, byte* xonly);
}
