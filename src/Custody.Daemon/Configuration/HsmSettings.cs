namespace Custody.Daemon.Configuration;

/// <summary>
/// How the daemon reaches its HSM (configuration section "Hsm"). Every value defaults to the
/// embedded layout that <c>custody-admin init</c> creates under the data directory.
/// </summary>
public sealed class HsmSettings
{
    public string? ModulePath { get; set; }

    /// <summary>SoftHSM only: the softhsm2.conf naming the token directory.</summary>
    public string? SoftHsmConfigPath { get; set; }

    public string? TokenLabel { get; set; }

    /// <summary>File holding the user PIN (mode 0600).</summary>
    public string? UserPinFile { get; set; }

    /// <summary>
    /// The KEK version new seeds are sealed under; 0 (the default) means the newest on the token
    /// at the moment of sealing, so a `custody-admin kek rotate` takes effect without a restart.
    /// </summary>
    public int KekVersion { get; set; }

    public int MaxSessions { get; set; }

    /// <summary>
    /// Seconds an HD wallet's key ring (master node and derived inner nodes) stays in memory after
    /// its last signature, so a busy wallet is not unsealed per request; 0 unseals for every
    /// signature and zeroes the ring right after it. See SECURITY.md.
    /// </summary>
    public double KeyRingCacheSeconds { get; set; } = 60;
}
