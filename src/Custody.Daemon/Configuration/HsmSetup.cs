using Custody.Hsm;
using Custody.Hsm.Embedded;

namespace Custody.Daemon.Configuration;

/// <summary>Opens the HSM the configuration names, or the embedded SoftHSM token of the data directory.</summary>
public static class HsmSetup
{
    public static HsmOptions Options(string dataDir, HsmSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!string.IsNullOrWhiteSpace(settings.TokenLabel))
        {
            if (string.IsNullOrWhiteSpace(settings.UserPinFile))
                throw new StartupException("Hsm:TokenLabel is set, so Hsm:UserPinFile must name the user PIN file");
            return new HsmOptions
            {
                ModulePath = settings.ModulePath ?? HsmOptions.SoftHsmModulePath,
                SoftHsmConfigPath = settings.SoftHsmConfigPath,
                TokenLabel = settings.TokenLabel,
                UserPin = PinSource.FromFile(settings.UserPinFile),
                MaxSessions = settings.MaxSessions > 0 ? settings.MaxSessions : Math.Max(4, 2 * Environment.ProcessorCount),
            };
        }
        // The embedded layout custody-admin init created; finding it must not create a new token.
        if (!File.Exists(Path.Combine(dataDir, "hsm", "softhsm2.conf")))
            throw new StartupException($"{dataDir} has no embedded SoftHSM token (hsm/softhsm2.conf): run custody-admin init, or configure Hsm:TokenLabel");
        var embedded = EmbeddedSoftHsm.Prepare(dataDir, EmbeddedSoftHsm.DefaultTokenLabel, settings.ModulePath ?? HsmOptions.SoftHsmModulePath);
        return settings.MaxSessions > 0 ? embedded.Options with { MaxSessions = settings.MaxSessions } : embedded.Options;
    }
}
