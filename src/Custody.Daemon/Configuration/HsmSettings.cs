using System.ComponentModel.DataAnnotations;

namespace Custody.Daemon.Configuration;

/// <summary>
/// How the daemon reaches its HSM (configuration section "Hsm"). Every value defaults to the
/// embedded layout that <c>custody-admin init</c> creates under the data directory.
/// </summary>
public sealed class HsmSettings
{
    [ExistingFile]
    public string? ModulePath { get; set; }

    /// <summary>SoftHSM only: the softhsm2.conf naming the token directory.</summary>
    [ExistingFile]
    public string? SoftHsmConfigPath { get; set; }

    public string? TokenLabel { get; set; }

    /// <summary>File holding the user PIN (mode 0600).</summary>
    [ExistingFile]
    public string? UserPinFile { get; set; }

    /// <summary>
    /// The KEK version new seeds are sealed under; 0 (the default) means the newest on the token
    /// at the moment of sealing, so a `custody-admin kek rotate` takes effect without a restart.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int KekVersion { get; set; }

    /// <summary>PKCS#11 sessions open at once; 0: twice the processor count, at least 4.</summary>
    [Range(0, int.MaxValue)]
    public int MaxSessions { get; set; }

    /// <summary>
    /// Seconds an HD wallet's key ring (master node and derived inner nodes) stays in memory after
    /// its last signature, so a busy wallet is not unsealed per request; 0 unseals for every
    /// signature and zeroes the ring right after it. See SECURITY.md.
    /// </summary>
    [Range(0, 86_400.0)]
    public double KeyRingCacheSeconds { get; set; } = 60;
}
