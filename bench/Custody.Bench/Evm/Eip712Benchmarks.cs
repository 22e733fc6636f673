using System.Text;
using BenchmarkDotNet.Attributes;
using Custody.Core;
using Custody.Core.Chains.Evm;

namespace Custody.Bench.Evm;

/// <summary>
/// EIP-712 typed data, parsed and hashed (or refused) as SignMessage does before the policy sees it:
/// an ERC-2612 permit, and 40 KB of the adversarial shapes of issue #15 — one member typed
/// uint256[][]…[] (about 20,000 dimensions), and types that all refer to one another so that
/// encodeType repeats them for every type hashed.
/// </summary>
[MemoryDiagnoser]
public class Eip712Benchmarks
{
    /// <summary>An ERC-2612 permit, as USDC asks wallets to sign it.</summary>
    private const string Permit = """
        {"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
        "Permit":[{"name":"owner","type":"address"},{"name":"spender","type":"address"},{"name":"value","type":"uint256"},{"name":"nonce","type":"uint256"},{"name":"deadline","type":"uint256"}]},
        "primaryType":"Permit",
        "domain":{"name":"USD Coin","version":"2","chainId":1,"verifyingContract":"0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"},
        "message":{"owner":"0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826","spender":"0x7a250d5630B4cF539739dF2C5dAcb4c659F2488D","value":"1000000","nonce":0,"deadline":1700000000}}
        """;

    private const int Size = 40 * 1024;

    private static readonly string DeepArray =
        "{\"types\":{\"T\":[{\"name\":\"a\",\"type\":\"uint256" + new StringBuilder().Insert(0, "[]", (Size - 120) / 2) +
        "\"}]},\"primaryType\":\"T\",\"domain\":{\"name\":\"x\"},\"message\":{\"a\":[]}}";

    /// <summary>Root refers to R1…Rk, each of them back to Root[]; the message holds one of each.</summary>
    private static readonly string CrossReferences = CrossReferencing(Size / 90);

    private static string CrossReferencing(int k)
    {
        var ids = Enumerable.Range(1, k).ToArray();
        return "{\"types\":{\"Root\":[" + string.Join(',', ids.Select(i => $"{{\"name\":\"m{i}\",\"type\":\"R{i}\"}}")) + "]," +
               string.Join(',', ids.Select(i => $"\"R{i}\":[{{\"name\":\"up\",\"type\":\"Root[]\"}}]")) +
               "},\"primaryType\":\"Root\",\"domain\":{\"name\":\"x\"},\"message\":{" +
               string.Join(',', ids.Select(i => $"\"m{i}\":{{\"up\":[]}}")) + "}}";
    }

    [Benchmark(Baseline = true, Description = "EIP-712 ERC-2612 permit: parse + digest")]
    public byte[] PermitExample() => Eip712.Parse(Permit).Digest();

    [Benchmark(Description = "40 KB: one member typed uint256[][]…[]")]
    public int DeepArrayType() => Outcome(DeepArray);

    [Benchmark(Description = "40 KB: types that all refer to one another")]
    public int CrossReferencingTypes() => Outcome(CrossReferences);

    /// <summary>1 when hashed, 0 when refused: either way the work is what is measured.</summary>
    private static int Outcome(string json)
    {
        try
        {
            return Eip712.Parse(json).Digest().Length > 0 ? 1 : 0;
        }
        catch (InvalidInputException)
        {
            return 0;
        }
    }
}
