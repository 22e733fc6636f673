using System.Security.Cryptography;

namespace Custody.Hsm.Embedded;

/// <summary>
/// The one-machine default: a SoftHSM token kept under the service's data directory and created on
/// first start. Layout (directories 0700, PIN files 0600, nothing else readable):
/// <code>
/// DIR/hsm/softhsm2.conf   token directory below, file object store
/// DIR/hsm/tokens/         SoftHSM's token files (objects encrypted under the user/SO PIN)
/// DIR/hsm/so.pin          random security-officer PIN, 32 hex characters
/// DIR/hsm/user.pin        random user PIN, 32 hex characters
/// </code>
/// Whoever can read DIR can use the keys: protect it like the key material it stands for.
/// </summary>
public sealed class EmbeddedSoftHsm
{
    public const string DefaultTokenLabel = "custody";
    private const UnixFileMode OwnerOnlyDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private EmbeddedSoftHsm(string directory, HsmOptions options, PinSource soPin)
    {
        Directory = directory;
        Options = options;
        SoPin = soPin;
    }

    /// <summary>DIR/hsm.</summary>
    public string Directory { get; }

    /// <summary>Options to open the token with (module, SOFTHSM2_CONF, label, user PIN file).</summary>
    public HsmOptions Options { get; }

    public PinSource SoPin { get; }

    /// <summary>Whether the token was created by <see cref="Prepare"/> (first start) rather than found.</summary>
    public bool TokenCreated { get; private set; }

    /// <summary>Creates what is missing under <paramref name="dataDirectory"/> (directories, configuration, PINs, token) and keeps what exists.</summary>
    public static EmbeddedSoftHsm Prepare(string dataDirectory, string tokenLabel = DefaultTokenLabel, string modulePath = HsmOptions.SoftHsmModulePath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the embedded SoftHSM set-up needs Unix file permissions");

        var root = Path.GetFullPath(dataDirectory);
        System.IO.Directory.CreateDirectory(root, OwnerOnlyDirectory);
        var hsm = Path.Combine(root, "hsm");
        var tokens = Path.Combine(hsm, "tokens");
        System.IO.Directory.CreateDirectory(hsm, OwnerOnlyDirectory);
        System.IO.Directory.CreateDirectory(tokens, OwnerOnlyDirectory);

        var config = Path.Combine(hsm, "softhsm2.conf");
        if (!File.Exists(config))
        {
            // The same settings as hsm-config/softhsm2.conf.template.
            File.WriteAllText(config, $"""
                # SoftHSM 2 configuration for Custody's embedded token (created by custody; see hsm-config/README.md).
                directories.tokendir = {tokens}
                objectstore.backend = file
                log.level = ERROR
                slots.removable = false
                slots.mechanisms = ALL
                library.reset_on_fork = false

                """);
            File.SetUnixFileMode(config, OwnerOnlyFile);
        }

        var soPin = CreatePinFileIfMissing(Path.Combine(hsm, "so.pin"));
        var userPin = CreatePinFileIfMissing(Path.Combine(hsm, "user.pin"));
        var options = new HsmOptions
        {
            ModulePath = modulePath,
            SoftHsmConfigPath = config,
            TokenLabel = tokenLabel,
            UserPin = userPin,
        };
        return new EmbeddedSoftHsm(hsm, options, soPin)
        {
            TokenCreated = HsmProvisioning.InitializeTokenIfMissing(options, soPin),
        };
    }

    /// <summary>A fresh random PIN straight from the OS generator into a 0600 file, never through a string.</summary>
    private static PinSource CreatePinFileIfMissing(string path)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the embedded SoftHSM set-up needs Unix file permissions");
        if (File.Exists(path)) return PinSource.FromFile(path);

        Span<byte> random = stackalloc byte[16];
        var text = GC.AllocateArray<byte>(2 * random.Length, pinned: true);
        try
        {
            RandomNumberGenerator.Fill(random);
            for (var i = 0; i < random.Length; i++)
            {
                text[2 * i] = (byte)"0123456789abcdef"[random[i] >> 4];
                text[2 * i + 1] = (byte)"0123456789abcdef"[random[i] & 0xF];
            }
            using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = OwnerOnlyFile,
            });
            file.Write(text);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(random);
            CryptographicOperations.ZeroMemory(text);
        }
        return PinSource.FromFile(path);
    }
}
