namespace Custody.Hsm;

/// <summary>What went wrong in the HSM layer, so callers can react without parsing messages.</summary>
public enum HsmError
{
    /// <summary>The token or module cannot be used right now (gone, not found, all sessions busy); retry later.</summary>
    Unavailable,

    /// <summary>The module, the token or the PIN source is not set up the way the options say.</summary>
    Configuration,

    /// <summary>The token refused the user PIN.</summary>
    PinIncorrect,

    /// <summary>The token locked the user PIN after too many failures; a security officer must reset it.</summary>
    PinLocked,

    /// <summary>No key or KEK with the requested id or version exists on the token.</summary>
    KeyNotFound,

    /// <summary>The key exists but is of another kind than the operation needs.</summary>
    WrongKeyType,

    /// <summary>Two objects carry the identity that must be unique (label or id).</summary>
    DuplicateObject,

    /// <summary>AES-GCM refused a sealed blob: it was altered, or the associated data or KEK is not the one used to seal it.</summary>
    BlobAuthenticationFailed,

    /// <summary>The token does not offer a mechanism this code needs.</summary>
    MechanismNotSupported,

    /// <summary>Any other refusal by the module; the message names the PKCS#11 function and result.</summary>
    OperationFailed,
}
