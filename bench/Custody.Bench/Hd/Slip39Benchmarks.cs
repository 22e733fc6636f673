using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Custody.Core.Hd.Slip39;

namespace Custody.Bench.Hd;

/// <summary>
/// SLIP-39 as a ceremony uses it: a 256-bit master secret split 2-of-3 and recovered from
/// two shares, at the default iteration exponent (PBKDF2-SHA256 × 20,000 in all, which
/// dominates) and at exponent 0 (the Shamir and share-codec cost shows more).
/// </summary>
[MemoryDiagnoser]
public class Slip39Benchmarks
{
    private static readonly Slip39Group[] TwoOfThree = [new(2, 3)];
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private string[] _shares = [];

    [Params(0, 1)]
    public int IterationExponent { get; set; }

    [GlobalSetup]
    public void Setup() =>
        _shares = [.. Slip39.Generate(_secret, [], 1, TwoOfThree, RandomNumberGenerator.GetBytes, IterationExponent)[0].Take(2)];

    [Benchmark]
    public int Split() => Slip39.Generate(_secret, [], 1, TwoOfThree, RandomNumberGenerator.GetBytes, IterationExponent)[0].Count;

    [Benchmark]
    public int Recover()
    {
        using var secret = Slip39.Recover(_shares, []);
        return secret.Length;
    }
}
