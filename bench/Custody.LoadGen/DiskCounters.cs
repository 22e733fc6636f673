using System.Globalization;

namespace Custody.LoadGen;

/// <summary>
/// The block device under the data directory, as Linux counts it (/proc/diskstats): how many
/// writes it completed, how many bytes, and how long they took. The latency tail follows how
/// long the device takes per write, so a phase reports that and what it wrote per call. Counts
/// the whole device, not only this process; so a phase also reports what this process alone sent
/// to storage (/proc/self/io write_bytes: the daemon's ledger, the load generator writes nothing).
/// </summary>
internal sealed class DiskCounters
{
    private readonly string _device; // "major minor", as /proc/diskstats begins its lines

    private DiskCounters(string device) => _device = device;

    public readonly record struct Snapshot(long Writes, long Bytes, long WriteMs, long ProcessBytes);

    /// <summary>The device of the mount that holds <paramref name="directory"/>; null where there is no /proc.</summary>
    public static DiskCounters? For(string directory)
    {
        if (!File.Exists("/proc/self/mountinfo") || !File.Exists("/proc/diskstats")) return null;
        var full = Path.GetFullPath(directory);
        // mountinfo: id parent major:minor root mount-point ...; the longest mount point containing the directory.
        var mount = File.ReadLines("/proc/self/mountinfo")
            .Select(line => line.Split(' '))
            .Where(f => f.Length > 4 && (full == f[4] || full.StartsWith(f[4].TrimEnd('/') + "/", StringComparison.Ordinal)))
            .MaxBy(f => f[4].Length);
        if (mount is null) return null;
        var counters = new DiskCounters(mount[2].Replace(':', ' '));
        return counters.Read() is null ? null : counters;
    }

    public Snapshot? Read()
    {
        // major minor name reads merged sectors ms writes merged sectors ms ... (sectors of 512 bytes)
        foreach (var line in File.ReadLines("/proc/diskstats"))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 11 || $"{f[0]} {f[1]}" != _device) continue;
            long N(int i) => long.Parse(f[i], CultureInfo.InvariantCulture);
            return new Snapshot(N(7), N(9) * 512, N(10), ProcessWriteBytes());
        }
        return null;
    }

    /// <summary>Bytes this process caused to be written to storage (page cache writeback included); 0 where not counted.</summary>
    private static long ProcessWriteBytes()
    {
        const string key = "write_bytes:";
        try
        {
            var line = File.ReadLines("/proc/self/io").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.AsSpan(key.Length).Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
    }
}
