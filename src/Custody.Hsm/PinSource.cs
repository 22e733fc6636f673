using System.Security.Cryptography;
using System.Text;
using Custody.Hsm.Pkcs11;

namespace Custody.Hsm;

/// <summary>
/// Where a PIN comes from: a file (mode 0600, read each time a login is needed) or an environment
/// variable. The PIN itself is never stored here, never printed, and the buffers it passes through
/// are pinned and zeroed after use. An environment variable is a .NET string the runtime cannot
/// wipe, so prefer a file outside the repository.
/// </summary>
public sealed class PinSource
{
    /// <summary>PKCS#11 PINs are short; SoftHSM allows 255 bytes. Anything longer is not a PIN file.</summary>
    private const int MaxPinBytes = 255;

    private readonly string? _file;
    private readonly string? _variable;

    private PinSource(string? file, string? variable)
    {
        _file = file;
        _variable = variable;
    }

    /// <summary>A PIN file; one trailing newline is ignored. It must not be readable by group or others.</summary>
    public static PinSource FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new PinSource(Path.GetFullPath(path), null);
    }

    /// <summary>A PIN in an environment variable of this process.</summary>
    public static PinSource FromEnvironment(string variable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        return new PinSource(null, variable);
    }

    /// <summary>Names the source (path or variable name), never the PIN.</summary>
    public override string ToString() => _file is not null ? $"PIN file {_file}" : $"environment variable {_variable}";

    /// <summary>Reads the PIN into a pinned buffer the caller must dispose (which zeroes it).</summary>
    internal SecretBuffer Read() => _file is not null ? ReadFile(_file) : ReadVariable(_variable!);

    private SecretBuffer ReadFile(string path)
    {
        if (!File.Exists(path))
            throw new HsmException(HsmError.Configuration, $"{this} does not exist");
        if (!OperatingSystem.IsWindows())
        {
            const UnixFileMode groupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
            if ((File.GetUnixFileMode(path) & groupOrOther) != 0)
                throw new HsmException(HsmError.Configuration, $"{this} is accessible by group or others; chmod 600 it");
        }

        var raw = GC.AllocateArray<byte>(MaxPinBytes + 3, pinned: true);
        try
        {
            int length;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1))
            {
                length = stream.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            }
            if (length == raw.Length)
                throw new HsmException(HsmError.Configuration, $"{this} is longer than {MaxPinBytes} bytes; it does not hold a PIN");
            var pin = raw.AsSpan(0, length);
            if (pin.EndsWith("\n"u8)) pin = pin[..^1];
            if (pin.EndsWith("\r"u8)) pin = pin[..^1];
            if (pin.IsEmpty)
                throw new HsmException(HsmError.Configuration, $"{this} is empty");
            return SecretBuffer.CopyOf(pin);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }

    private SecretBuffer ReadVariable(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(value))
            throw new HsmException(HsmError.Configuration, $"{this} is not set");
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > MaxPinBytes)
            throw new HsmException(HsmError.Configuration, $"{this} is longer than {MaxPinBytes} bytes; it does not hold a PIN");
        var buffer = SecretBuffer.Allocate(length);
        Encoding.UTF8.GetBytes(value, buffer.Bytes);
        return buffer;
    }
}
