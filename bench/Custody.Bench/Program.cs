using BenchmarkDotNet.Running;
using Custody.Bench.Hsm;

namespace Custody.Bench;

public static class Program
{
    /// <summary>`hsm` runs the HSM throughput console mode; everything else goes to BenchmarkDotNet.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "hsm")
            return HsmThroughput.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
