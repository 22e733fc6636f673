namespace Custody.Hsm;

/// <summary>
/// The versioned AES-256 key-encryption keys on the token, labelled "custody-kek-v{N}": token objects,
/// sensitive, never extractable, usable only for encrypt/decrypt. Thread-safe.
/// </summary>
public interface IKeyEncryptionKeys
{
    /// <summary>Creates KEK version <paramref name="version"/> unless it exists; true when it was created now.</summary>
    bool Ensure(int version);

    /// <summary>
    /// Whether KEK <paramref name="version"/> is on the token. A version once found is remembered
    /// by this connection (until it destroys it): one destroyed by another process shows as an
    /// error at its next use, not here.
    /// </summary>
    bool Exists(int version);

    /// <summary>Versions present on the token, ascending.</summary>
    IReadOnlyList<int> Versions();

    /// <summary>Destroys a KEK version (after every blob was resealed); true when something was destroyed.</summary>
    bool Destroy(int version);
}
