using BenchmarkDotNet.Running;

namespace Custody.Bench;

public static class Program
{
    // Console modes that are not BenchmarkDotNet runs, picked by the first argument.
    private static readonly Dictionary<string, Func<string[], int>> Modes = new(StringComparer.Ordinal)
    {
        ["audit"] = Audit.AuditAppendRunner.Run,
        ["hsm"] = Hsm.HsmThroughput.Run,
    };

    public static int Main(string[] args)
    {
        if (args.Length > 0 && Modes.TryGetValue(args[0], out var mode)) return mode(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
