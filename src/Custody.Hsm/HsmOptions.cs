namespace Custody.Hsm;

/// <summary>
/// How to reach the HSM: which PKCS#11 module, which token (by label, never by slot id, because
/// slot ids change when tokens are added), and where the user PIN comes from.
/// </summary>
public sealed record HsmOptions
{
    /// <summary>Debian's SoftHSM 2 module, the default for development and the embedded set-up.</summary>
    public const string SoftHsmModulePath = "/usr/lib/softhsm/libsofthsm2.so";

    /// <summary>Path of the vendor's PKCS#11 module (.so).</summary>
    public string ModulePath { get; init; } = SoftHsmModulePath;

    /// <summary>SoftHSM only: a softhsm2.conf to use; set as SOFTHSM2_CONF (libc setenv) before the module loads.</summary>
    public string? SoftHsmConfigPath { get; init; }

    /// <summary>Label of the token (CKA token label, up to 32 bytes).</summary>
    public required string TokenLabel { get; init; }

    /// <summary>Source of the user PIN.</summary>
    public required PinSource UserPin { get; init; }

    /// <summary>Upper bound of concurrently open sessions, hence of concurrent HSM operations.</summary>
    public int MaxSessions { get; init; } = Math.Max(4, 2 * Environment.ProcessorCount);

    /// <summary>How long an operation waits for a free session before it fails as unavailable.</summary>
    public TimeSpan SessionWaitTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Minimum time between two re-initialisations of the module (C_Finalize + C_Initialize) while
    /// the token is unreachable; in between, callers get <see cref="HsmUnavailableException"/> at once.
    /// </summary>
    public TimeSpan RecoveryInterval { get; init; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModulePath))
            throw new HsmException(HsmError.Configuration, "the PKCS#11 module path is empty");
        if (string.IsNullOrWhiteSpace(TokenLabel) || System.Text.Encoding.UTF8.GetByteCount(TokenLabel) > 32)
            throw new HsmException(HsmError.Configuration, "the token label must be 1 to 32 bytes");
        if (MaxSessions < 1)
            throw new HsmException(HsmError.Configuration, "MaxSessions must be at least 1");
        if (SessionWaitTimeout < TimeSpan.Zero || RecoveryInterval < TimeSpan.Zero)
            throw new HsmException(HsmError.Configuration, "timeouts must not be negative");
    }
}
