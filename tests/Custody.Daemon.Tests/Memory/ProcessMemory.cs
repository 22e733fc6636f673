using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Custody.Daemon.Tests.Memory;

/// <summary>
/// Reads the memory of another process through /proc/PID/maps and /proc/PID/mem (which needs ptrace
/// rights over it: root, or being its parent under Yama's default policy) and finds every place that
/// holds any 16 consecutive bytes of the given secrets, so a partial copy counts as much as a whole one.
/// </summary>
internal static class ProcessMemory
{
    /// <summary>The shortest run of a secret's bytes that counts as a copy of it.</summary>
    public const int Window = 16;

    private const int ChunkLength = 1 << 20;
    private const ulong PageSize = 4096;

    /// <summary>A copy: which secret, where it would start (the address of its first byte), and the mapping it is in.</summary>
    public sealed record Copy(int Secret, ulong Start, string Mapping);

    /// <summary>What was read; pages the kernel would not read are named, so a scan cannot silently see less.</summary>
    public sealed record Scan(IReadOnlyList<Copy> Copies, long BytesRead, IReadOnlyList<Unread> Unreadable);

    /// <summary>Bytes of a mapping that could not be read.</summary>
    public sealed record Unread(string Region, string Name, ulong Bytes);

    public static Scan Find(int pid, IReadOnlyList<byte[]> secrets)
    {
        var index = new WindowIndex(secrets);
        var copies = new HashSet<Copy>();
        var unreadable = new List<Unread>();
        long bytesRead = 0;
        using var memory = File.OpenHandle($"/proc/{pid}/mem", FileMode.Open, FileAccess.Read);
        var buffer = new byte[ChunkLength + Window - 1];
        foreach (var region in Regions(pid))
        {
            ulong skipped = 0;
            for (var at = region.Start; at < region.End;)
            {
                var length = (int)Math.Min((ulong)buffer.Length, region.End - at);
                var read = TryRead(memory, buffer.AsSpan(0, length), at);
                if (read <= 0)
                {
                    // A page with nothing behind it (a shared mapping past its file's end) reads as EIO: step over it.
                    skipped += PageSize;
                    at += PageSize;
                    continue;
                }
                bytesRead += read;
                foreach (var (secret, start) in index.Matches(buffer.AsSpan(0, read), at))
                    copies.Add(new Copy(secret, start, region.ToString()));
                var next = at + (ulong)read;
                if (next >= region.End) break;
                // The next chunk starts a window less one byte back, so a copy across two chunks is still seen.
                at = read > Window ? next - (Window - 1) : next;
            }
            if (skipped > 0) unreadable.Add(new Unread(region.ToString(), region.Name, skipped));
        }
        return new Scan([.. copies.OrderBy(c => c.Start)], bytesRead, unreadable);
    }

    /// <summary>
    /// Whether this process may read the memory of a child it started: tried on a real child, since
    /// root, CAP_SYS_PTRACE, Yama and container policies all play a part. Null when it may, else why not.
    /// </summary>
    public static string? WhyChildMemoryIsUnreadable()
    {
        if (!OperatingSystem.IsLinux()) return "reading another process's memory needs Linux /proc";
        using var child = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            var region = Regions(child.Id).First();
            using var memory = File.OpenHandle($"/proc/{child.Id}/mem", FileMode.Open, FileAccess.Read);
            var probe = new byte[1];
            return RandomAccess.Read(memory, probe, (long)region.Start) == 1 ? null : "/proc/PID/mem of a child returned no data";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot read /proc/PID/mem of a child process (needs root, CAP_SYS_PTRACE or Yama ptrace_scope 0 or 1): {e.Message}";
        }
        finally
        {
            child.Kill();
            child.WaitForExit();
        }
    }

    private static int TryRead(SafeFileHandle memory, Span<byte> buffer, ulong address)
    {
        try
        {
            return RandomAccess.Read(memory, buffer, (long)address);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    private sealed record Region(ulong Start, ulong End, string Permissions, string Name)
    {
        public override string ToString() => $"{Start:x}-{End:x} {Permissions} {(Name.Length > 0 ? Name : "[anonymous]")}";
    }

    private static IEnumerable<Region> Regions(int pid)
    {
        foreach (var line in File.ReadAllLines($"/proc/{pid}/maps"))
        {
            // start-end perms offset dev inode [name]
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            var bounds = fields[0].Split('-');
            var region = new Region(ulong.Parse(bounds[0], NumberStyles.HexNumber), ulong.Parse(bounds[1], NumberStyles.HexNumber),
                fields[1], fields.Length > 5 ? fields[5].Trim() : "");
            // Unreadable reservations (the GC reserves far more than it commits), and the kernel's own pages.
            if (region.Permissions[0] != 'r' || region.Name is "[vvar]" or "[vvar_vclock]" or "[vsyscall]") continue;
            yield return region;
        }
    }

    /// <summary>Every 16-byte window of every secret, keyed by its first 8 bytes; a 2-byte filter skips most positions cheaply.</summary>
    private sealed class WindowIndex
    {
        private readonly bool[] _firstTwo = new bool[1 << 16];
        private readonly Dictionary<ulong, List<(int Secret, int Offset)>> _windows = [];
        private readonly IReadOnlyList<byte[]> _secrets;

        public WindowIndex(IReadOnlyList<byte[]> secrets)
        {
            _secrets = secrets;
            for (var s = 0; s < secrets.Count; s++)
            {
                if (secrets[s].Length < Window) throw new ArgumentException($"secret {s} is shorter than {Window} bytes");
                for (var offset = 0; offset + Window <= secrets[s].Length; offset++)
                {
                    var window = secrets[s].AsSpan(offset, Window);
                    _firstTwo[BinaryPrimitives.ReadUInt16LittleEndian(window)] = true;
                    var key = BinaryPrimitives.ReadUInt64LittleEndian(window);
                    if (!_windows.TryGetValue(key, out var list)) _windows[key] = list = [];
                    list.Add((s, offset));
                }
            }
        }

        public List<(int Secret, ulong Start)> Matches(ReadOnlySpan<byte> data, ulong address)
        {
            var found = new List<(int, ulong)>();
            for (var i = 0; i + Window <= data.Length; i++)
            {
                if (!_firstTwo[BinaryPrimitives.ReadUInt16LittleEndian(data[i..])]) continue;
                if (!_windows.TryGetValue(BinaryPrimitives.ReadUInt64LittleEndian(data[i..]), out var candidates)) continue;
                foreach (var (secret, offset) in candidates)
                    if (data.Slice(i, Window).SequenceEqual(_secrets[secret].AsSpan(offset, Window)))
                        found.Add((secret, address + (ulong)i - (ulong)offset));
            }
            return found;
        }
    }
}
