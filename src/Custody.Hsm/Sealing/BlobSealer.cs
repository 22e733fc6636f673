using Custody.Core.Crypto;
using Custody.Hsm.Pkcs11;
using Net.Pkcs11Interop.Common;

namespace Custody.Hsm.Sealing;

/// <summary>
/// Seals and unseals <see cref="SealedBlob"/>s with CKM_AES_GCM inside the HSM. The IV comes from the
/// HSM's generator in the same session, 12 bytes, new for every blob (GCM's one hard rule).
/// </summary>
internal sealed class BlobSealer(TokenSessionPool pool, KeyEncryptionKeys keks, int kekVersion) : IBlobSealer
{
    private const int TagBits = SealedBlob.TagLength * 8;
    private const int IvBits = SealedBlob.IvLength * 8;

    public int KekVersion { get; } = kekVersion;

    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var header = SealedBlob.Header(KekVersion);
        var aad = SealedBlob.AssociatedData(header, associatedData);
        using var input = SecretBuffer.CopyOf(plaintext);
        return pool.Execute($"seal under KEK v{KekVersion}", s => keks.Use(s, KekVersion, kek =>
        {
            var iv = new byte[SealedBlob.IvLength];
            s.Session.FillRandom(iv);
            using var gcm = s.Factories.MechanismParamsFactory.CreateCkGcmParams(iv, IvBits, aad, TagBits);
            using var mechanism = s.Factories.MechanismFactory.Create(CKM.CKM_AES_GCM, gcm);
            return SealedBlob.Compose(header, iv, s.Session.EncryptSecret(mechanism, kek, input));
        }));
    }

    public SecretBytes Unseal(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> associatedData)
    {
        var parts = SealedBlob.Parse(blob);
        var aad = SealedBlob.AssociatedData(parts.Header, associatedData);
        return pool.Execute($"unseal under KEK v{parts.KekVersion}", s => keks.Use(s, parts.KekVersion, kek =>
        {
            using var gcm = s.Factories.MechanismParamsFactory.CreateCkGcmParams(parts.Iv, IvBits, aad, TagBits);
            using var mechanism = s.Factories.MechanismFactory.Create(CKM.CKM_AES_GCM, gcm);
            SecretBuffer plaintext;
            int length;
            try
            {
                plaintext = s.Session.DecryptSecret(mechanism, kek, parts.CiphertextAndTag, out length);
            }
            catch (Pkcs11Exception e) when (IsAuthenticationFailure(e.RV))
            {
                // SoftHSM reports a bad tag as CKR_GENERAL_ERROR, which a dying token could also say: ask the token first.
                s.EnsureTokenPresent();
                throw new HsmException(HsmError.BlobAuthenticationFailed,
                    $"sealed blob under KEK v{parts.KekVersion} failed authentication: it was altered, or the associated data or KEK is not the one it was sealed with", e);
            }
            using (plaintext) return SecretBytes.CopyFrom(plaintext.Bytes.AsSpan(0, length));
        }));
    }

    private static bool IsAuthenticationFailure(CKR rv) => rv is CKR.CKR_ENCRYPTED_DATA_INVALID
        or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE
        or CKR.CKR_GENERAL_ERROR
        or CKR.CKR_FUNCTION_FAILED
        or CkrAeadDecryptFailed;

    /// <summary>PKCS#11 3.0's CKR_AEAD_DECRYPT_FAILED, which Pkcs11Interop 5.3 does not name.</summary>
    private const CKR CkrAeadDecryptFailed = (CKR)0x35;
}
