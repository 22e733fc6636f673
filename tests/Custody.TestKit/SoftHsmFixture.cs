using System.Security.Cryptography;

using Custody.Hsm;

namespace Custody.TestKit;

/// <summary>
/// A SoftHSM token directory and configuration in a fresh temporary directory, random SO and user
/// PINs in 0600 files, and one open connection to the main token, shared by every HSM test. The
/// module is loaded once for the whole test run (SoftHSM reads SOFTHSM2_CONF at C_Initialize, and a
/// process can hold only one instance of it); the temporary directory is deleted at the end.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // SoftHSM and its 0600 PIN files
public sealed class SoftHsmFixture : IDisposable
{
    public const string MainLabel = "custody-test";

    public SoftHsmFixture()
    {
        Root = Directory.CreateTempSubdirectory("custody-hsm-tests-").FullName;
        TokensDirectory = Path.Combine(Root, "tokens");
        Directory.CreateDirectory(TokensDirectory);
        ConfigPath = Path.Combine(Root, "softhsm2.conf");
        File.WriteAllText(ConfigPath, $"directories.tokendir = {TokensDirectory}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        SoPin = WritePin("so.pin", RandomPin());
        UserPin = WritePin("user.pin", RandomPin());
        ProvisionToken(MainLabel);
        Hsm = HsmConnection.Open(Options(MainLabel) with { MaxSessions = 4 });
    }

    public string Root { get; }

    public string TokensDirectory { get; }

    public string ConfigPath { get; }

    public PinSource SoPin { get; }

    public PinSource UserPin { get; }

    /// <summary>The connection to the main token, used by most tests.</summary>
    public HsmConnection Hsm { get; }

    public HsmOptions Options(string label, PinSource? userPin = null) => new()
    {
        TokenLabel = label,
        UserPin = userPin ?? UserPin,
        SoftHsmConfigPath = ConfigPath,
        RecoveryInterval = TimeSpan.FromMilliseconds(100),
        SessionWaitTimeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Creates a token with the fixture's PINs and returns the directory SoftHSM keeps it in.</summary>
    public string ProvisionToken(string label)
    {
        var before = Directory.GetDirectories(TokensDirectory).ToHashSet();
        Assert.True(HsmProvisioning.InitializeTokenIfMissing(Options(label), SoPin));
        return Assert.Single(Directory.GetDirectories(TokensDirectory), d => !before.Contains(d));
    }

    /// <summary>A path outside the token directory to move a token to, so SoftHSM cannot see it.</summary>
    public string OutsideTokenDirectory(string name) => Path.Combine(Root, "away-" + name);

    public PinSource WritePin(string name, string pin)
    {
        var path = Path.Combine(Root, name);
        File.WriteAllText(path, pin);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return PinSource.FromFile(path);
    }

    public static string RandomPin() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public void Dispose()
    {
        Hsm.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
