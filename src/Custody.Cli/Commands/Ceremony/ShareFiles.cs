using Custody.Core.Ceremony;

namespace Custody.Cli.Ceremony;

/// <summary>
/// The non-interactive hand-out: each piece in its own file, created 0600 (never a moment
/// with wider permissions) in a directory that must be new or empty, so pieces of two
/// ceremonies can never be mixed up. A file holds the words on one line.
/// </summary>
internal static class ShareFiles
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    /// <summary>Checks (before any secret exists) that <paramref name="directory"/> can take the pieces.</summary>
    public static string Prepare(string directory)
    {
        var full = Path.GetFullPath(directory);
        if (File.Exists(full))
            throw new CliException($"--out-dir {full} is a file, not a directory");
        if (Directory.Exists(full))
        {
            if (Directory.EnumerateFileSystemEntries(full).Any())
                throw new CliException($"--out-dir {full} is not empty; pieces of different ceremonies must not share a directory");
        }
        else if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(full);
        }
        else
        {
            Directory.CreateDirectory(full, OwnerOnlyDirectory);
        }
        return full;
    }

    public static string FileName(BackupPlan plan, BackupPiece piece) =>
        plan is Bip39Backup ? "mnemonic.txt" : $"share-{piece.Number:D2}.txt";

    /// <summary>Writes one piece and flushes it to disk; returns its path.</summary>
    public static string Write(string directory, BackupPlan plan, BackupPiece piece)
    {
        var path = Path.Combine(directory, FileName(plan, piece));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnlyFile;
        using var stream = new FileStream(path, options);
        using (var writer = new StreamWriter(stream, leaveOpen: true))
        {
            writer.Write(piece.Words);
            writer.Write('\n');
        }
        stream.Flush(flushToDisk: true);
        return path;
    }
}
