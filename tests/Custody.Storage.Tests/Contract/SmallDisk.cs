using System.Diagnostics;

namespace Custody.Storage.Tests.Contract;

/// <summary>
/// A small tmpfs mounted on a directory, filled to the last byte by a file that is removed again:
/// a real full disk (the tests run as root, for whom no quota or file mode stands in for one).
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private readonly string _path;

    private SmallDisk(string path) => _path = path;

    public static SmallDisk Mount(string path, int megabytes, string? owner)
    {
        Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m,mode=0700", "tmpfs", path);
        if (owner is not null) Run("chown", $"{owner}:{owner}", path);
        return new SmallDisk(path);
    }

    /// <summary>Writes a file until the disk has no byte left; disposing it frees the space again.</summary>
    public IDisposable Fill()
    {
        var filler = Path.Combine(_path, "filler");
        using (var stream = new FileStream(filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            var block = new byte[64 * 1024];
            try
            {
                while (true) stream.Write(block);
            }
            catch (IOException)
            {
            }
            // Down to the last byte.
            try
            {
                while (true) stream.Write(block, 0, 1);
            }
            catch (IOException)
            {
            }
        }
        return new Undo(() => File.Delete(filler));
    }

    public void Dispose() => Run("umount", "-l", _path);

    public static void Run(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true, UseShellExecute = false })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)}: {error}");
    }

    public sealed class Undo(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
