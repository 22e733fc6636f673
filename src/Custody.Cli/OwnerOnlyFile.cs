namespace Custody.Cli;

/// <summary>New files only their owner can read, created with that mode (no moment of 0644), never over an existing one.</summary>
internal static class OwnerOnlyFile
{
    public static FileStream CreateNew(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(path, options);
    }

    /// <summary>Writes one line (a token) to a new owner-only file.</summary>
    public static void WriteLine(string path, string text)
    {
        using var writer = new StreamWriter(CreateNew(path));
        writer.Write(text);
        writer.Write('\n');
    }
}
