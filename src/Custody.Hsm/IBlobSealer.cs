using Custody.Core.Crypto;

namespace Custody.Hsm;

/// <summary>
/// Envelope encryption under an HSM-resident KEK: AES-256-GCM computed inside the HSM, so the KEK
/// never leaves it. Blobs name the KEK version they were sealed under, so one sealer reads blobs of
/// every version still on the token and writes new ones under <see cref="KekVersion"/>. Thread-safe.
/// </summary>
public interface IBlobSealer
{
    /// <summary>The KEK version new blobs are sealed under.</summary>
    int KekVersion { get; }

    /// <summary>Seals <paramref name="plaintext"/>; the same associated data must be given to unseal it.</summary>
    byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData);

    /// <summary>
    /// Opens a blob. A blob that was altered, or the wrong associated data, fails with
    /// <see cref="HsmError.BlobAuthenticationFailed"/>; a blob that is not one of ours fails with
    /// Custody.Core.InvalidInputException (field "sealedBlob"). Dispose the result when done.
    /// </summary>
    SecretBytes Unseal(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> associatedData);
}
