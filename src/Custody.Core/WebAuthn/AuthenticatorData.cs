using System.Buffers.Binary;

namespace Custody.Core.WebAuthn;

/// <summary>
/// The authenticator data of an assertion (WebAuthn Level 3 §6.1): rpIdHash (32 bytes), flags
/// (1 byte), signCount (4 bytes, big-endian), then extension outputs (CBOR) when the ED flag is set.
/// An assertion carries no attested credential data, so the AT flag is refused. Parsing reads a
/// fixed header and bounds the whole: its cost does not grow with what a caller sends.
/// </summary>
public sealed class AuthenticatorData
{
    /// <summary>rpIdHash, flags and signCount.</summary>
    public const int HeaderLength = 37;

    /// <summary>Far above the header plus the extension outputs any authenticator returns in an assertion.</summary>
    public const int MaxLength = 1024;

    private const string Field = "passkey.authenticator_data";

    private readonly byte[] _rpIdHash;

    private AuthenticatorData(byte[] rpIdHash, AuthenticatorFlags flags, uint signCount)
    {
        _rpIdHash = rpIdHash;
        Flags = flags;
        SignCount = signCount;
    }

    /// <summary>SHA-256 of the RP ID the authenticator scoped the credential to.</summary>
    public ReadOnlySpan<byte> RpIdHash => _rpIdHash;

    public AuthenticatorFlags Flags { get; }

    /// <summary>The authenticator's signature counter; 0 from authenticators that keep none.</summary>
    public uint SignCount { get; }

    public bool UserPresent => (Flags & AuthenticatorFlags.UserPresent) != 0;

    public bool UserVerified => (Flags & AuthenticatorFlags.UserVerified) != 0;

    /// <summary>Reads authenticator data; bad input is <see cref="InvalidInputException"/> naming the field.</summary>
    public static AuthenticatorData Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderLength)
            throw new InvalidInputException(Field, $"{data.Length} bytes: authenticator data is at least {HeaderLength} (rpIdHash, flags, signCount)");
        if (data.Length > MaxLength)
            throw new InvalidInputException(Field, $"{data.Length} bytes: more than the {MaxLength} an assertion's authenticator data may have");
        var flags = (AuthenticatorFlags)data[32];
        if ((flags & AuthenticatorFlags.AttestedCredentialData) != 0)
            throw new InvalidInputException(Field, "the AT flag is set: attested credential data belongs to a registration, not an assertion");
        var extensions = data.Length - HeaderLength;
        if ((flags & AuthenticatorFlags.ExtensionData) == 0 && extensions != 0)
            throw new InvalidInputException(Field, $"{extensions} bytes after signCount without the ED (extension data) flag");
        if ((flags & AuthenticatorFlags.ExtensionData) != 0 && extensions == 0)
            throw new InvalidInputException(Field, "the ED flag is set but no extension data follows signCount");
        if ((flags & AuthenticatorFlags.BackupState) != 0 && (flags & AuthenticatorFlags.BackupEligible) == 0)
            throw new InvalidInputException(Field, "the BS (backed up) flag is set without BE (backup eligible)");
        return new AuthenticatorData(data[..32].ToArray(), flags, BinaryPrimitives.ReadUInt32BigEndian(data[33..37]));
    }
}

/// <summary>The flags byte of authenticator data (WebAuthn Level 3 §6.1).</summary>
[Flags]
public enum AuthenticatorFlags : byte
{
    None = 0,
    UserPresent = 0x01,
    UserVerified = 0x04,
    BackupEligible = 0x08,
    BackupState = 0x10,
    AttestedCredentialData = 0x40,
    ExtensionData = 0x80,
}
