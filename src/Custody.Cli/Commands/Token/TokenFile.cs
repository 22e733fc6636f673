namespace Custody.Cli.Token;

/// <summary>Writes a token to a new file that only its owner can read, created with that mode (no window of 0644).</summary>
internal static class TokenFile
{
    public static void Write(string path, string secret)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(secret);
        writer.Write('\n');
    }
}
