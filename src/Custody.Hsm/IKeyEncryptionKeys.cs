namespace Custody.Hsm;

/// <summary>
/// The versioned AES-256 key-encryption keys on the token, labelled "custody-kek-v{N}": token objects,
/// sensitive, never extractable, usable only for encrypt/decrypt. Thread-safe.
/// </summary>
public interface IKeyEncryptionKeys
{
    /// <summary>Creates KEK version <paramref name="version"/> unless it exists; true when it was created now.</summary>
    bool Ensure(int version);

    bool Exists(int version);

    /// <summary>Versions present on the token, ascending.</summary>
    IReadOnlyList<int> Versions();

    /// <summary>Destroys a KEK version (after every blob was resealed); true when something was destroyed.</summary>
    bool Destroy(int version);
}
