using System.Text;
using Custody.Core.Chains.Evm;

namespace Custody.Core.Tests.Chains.Evm;

/// <summary>
/// What typed data may cost (issue #15): adversarial shapes that made hashing quadratic, measured
/// without a clock — by the bytes allocated while parsing and hashing — at two sizes.
/// </summary>
public class Eip712CostTests
{
    private const string Domain = """{"types":{"EIP712Domain":[{"name":"name","type":"string"}]""";

    /// <summary>One member typed uint256[][]…[]: the type text was re-cut once per dimension.</summary>
    private static string DeepArrayType(int bytes)
    {
        var dimensions = (bytes - 160) / 2;
        return Domain + ",\"T\":[{\"name\":\"a\",\"type\":\"uint256" + Repeat("[]", dimensions) +
               "\"}]},\"primaryType\":\"T\",\"domain\":{\"name\":\"x\"},\"message\":{\"a\":[]}}";
    }

    /// <summary>T0 refers to T1…Tk and each of them back to T0: encodeType of every Ti lists all k types.</summary>
    private static string WideCyclicTypes(int bytes)
    {
        var k = bytes / 42;
        var text = new StringBuilder(Domain).Append(""","T0":[""");
        text.AppendJoin(',', Enumerable.Range(1, k).Select(i => $$"""{"name":"a{{i}}","type":"T{{i}}"}""")).Append(']');
        for (var i = 1; i <= k; i++) text.Append($$""","T{{i}}":[{"name":"z","type":"T0[]"}]""");
        text.Append("""},"primaryType":"T0","domain":{"name":"x"},"message":{""");
        text.AppendJoin(',', Enumerable.Range(1, k).Select(i => $"\"a{i}\":{{\"z\":[]}}")).Append("}}");
        return text.ToString();
    }

    /// <summary>30 nested structs with 120-character member names around one long uint8[]: every element's error path was written out.</summary>
    private static string DeepPathsToManyElements(int bytes)
    {
        const int Depth = 30;
        var name = new string('n', 120);
        var text = new StringBuilder(Domain);
        for (var i = 0; i < Depth; i++)
            text.Append($$""","S{{i}}":[{"name":"{{name}}","type":"{{(i == Depth - 1 ? "uint8[]" : $"S{i + 1}")}}"}]""");
        text.Append("""},"primaryType":"S0","domain":{"name":"x"},"message":""");
        for (var i = 0; i < Depth; i++) text.Append($$"""{"{{name}}":""");
        var elements = (bytes - text.Length - Depth - 2) / 2;
        text.Append('[').AppendJoin(',', Enumerable.Repeat("0", elements)).Append(']').Append('}', Depth).Append('}');
        return text.ToString();
    }

    private static string Repeat(string text, int count) => new StringBuilder(text.Length * count).Insert(0, text, count).ToString();

    public static TheoryData<string> Shapes() => [nameof(DeepArrayType), nameof(WideCyclicTypes), nameof(DeepPathsToManyElements)];

    private static string Make(string shape, int bytes) => shape switch
    {
        nameof(DeepArrayType) => DeepArrayType(bytes),
        nameof(WideCyclicTypes) => WideCyclicTypes(bytes),
        _ => DeepPathsToManyElements(bytes),
    };

    /// <summary>Bytes allocated to parse and hash (or refuse) the text, per byte of text.</summary>
    private static double AllocatedPerByte(string json)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            Eip712.Parse(json).Digest();
        }
        catch (InvalidInputException e)
        {
            // Refused for its shape, not because the test wrote broken JSON.
            Assert.DoesNotContain("not valid JSON", e.Message, StringComparison.Ordinal);
        }
        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Encoding.UTF8.GetByteCount(json);
    }

    // Linear: the cost per input byte stays the same when the input grows (quadratic: it grows with
    // it), and it is small — the JSON document, its copy and one 32-byte word per value.
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Parsing_and_hashing_cost_is_linear_in_the_input(string shape)
    {
        AllocatedPerByte(Make(shape, 12_000)); // warm up: static tables, JIT
        var small = AllocatedPerByte(Make(shape, 16_000));
        var large = AllocatedPerByte(Make(shape, 64_000));
        Assert.True(large <= 100, $"{shape}: {large:F0} bytes allocated per input byte at 64 KB");
        Assert.True(large <= 2 * Math.Max(small, 10), $"{shape}: {small:F0} bytes per input byte at 16 KB, {large:F0} at 64 KB");
    }

    /// <summary>Typed data whose types are <paramref name="types"/> (JSON members of "types") and message <paramref name="message"/>.</summary>
    private static string Typed(string types, string message, string primaryType = "T") =>
        $$"""{"types":{{{types}}},"primaryType":"{{primaryType}}","domain":{"name":"x"},"message":{{message}}}""";

    private static InvalidInputException Refused(string json) => Assert.Throws<InvalidInputException>(() => Eip712.Parse(json).Digest());

    private static string BoolMembers(int n) => "[" + string.Join(',', Enumerable.Range(0, n).Select(i => $$"""{"name":"a{{i}}","type":"bool"}""")) + "]";

    private static string TrueValues(int n) => "{" + string.Join(',', Enumerable.Range(0, n).Select(i => $"\"a{i}\":true")) + "}";

    /// <summary>The bound is exact: <paramref name="max"/> is hashed, one more is refused at <paramref name="field"/>.</summary>
    private static void Bounded(Func<int, string> make, int max, string field, string reason)
    {
        Assert.Equal(32, Eip712.Parse(make(max)).Digest().Length);
        var e = Refused(make(max + 1));
        Assert.Equal(field, e.Field);
        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Array_dimensions_types_and_members_are_bounded()
    {
        Bounded(n => Typed($$"""
            "T":[{"name":"a","type":"uint8{{Repeat("[]", n)}}"}]
            """, """{"a":[]}"""),
            Eip712.MaxArrayDimensions, "typedData.types.T.a", $"more than {Eip712.MaxArrayDimensions} array dimensions");
        Bounded(n => Typed(string.Join(',', Enumerable.Range(0, n).Select(i => $"\"T{(i == 0 ? "" : i)}\":" + BoolMembers(1))), TrueValues(1)),
            Eip712.MaxTypes, "typedData.types", $"more than {Eip712.MaxTypes} types");
        Bounded(n => Typed("\"T\":" + BoolMembers(n), TrueValues(n)),
            Eip712.MaxMembers, "typedData.types.T", $"more than {Eip712.MaxMembers} members");
    }

    // Within every shape bound, encodeType still lists all referenced types again for each type
    // hashed: Root refers to T1…T63, each of them (with twelve 240-character member names) back to
    // Root[], so each of the 63 hashes spells out all 64 definitions, about 200 KB each.
    [Fact]
    public void Types_that_spell_each_other_out_are_refused_by_the_work_budget()
    {
        var names = Enumerable.Range(0, 12).Select(j => $"n{j}" + new string('x', 238)).ToArray();
        var ids = Enumerable.Range(1, Eip712.MaxTypes - 1).ToArray();
        var types = "\"Root\":[" + string.Join(',', ids.Select(i => $$"""{"name":"m{{i}}","type":"T{{i}}"}""")) + "]," +
                    string.Join(',', ids.Select(i => $"\"T{i}\":[" + string.Join(',', names.Select(n => $$"""{"name":"{{n}}","type":"Root[]"}""")) + "]"));
        var message = "{" + string.Join(',', ids.Select(i => $"\"m{i}\":{{" + string.Join(',', names.Select(n => $"\"{n}\":[]")) + "}")) + "}";
        var json = Typed(types, message, primaryType: "Root");
        Assert.InRange(Encoding.UTF8.GetByteCount(json), 0, Eip712.MaxJsonBytes / 2);

        var e = Refused(json);
        Assert.StartsWith("typedData.types.T", e.Field, StringComparison.Ordinal);
        Assert.Contains("too costly", e.Reason, StringComparison.Ordinal);
    }

    // The budget leaves room for anything the length allows: the most values that fit in the
    // largest text (one per two bytes) cost less than half of it.
    [Fact]
    public void The_largest_text_with_the_most_values_stays_within_half_the_work_budget()
    {
        var json = DeepPathsToManyElements(Eip712.MaxJsonBytes);
        var typed = Eip712.Parse(json);
        Assert.Equal(32, typed.Digest().Length);
        Assert.InRange(typed.Work, Eip712.MaxJsonBytes, Eip712.MaxWork / 2);
    }

    [Fact]
    public void Struct_names_that_are_Solidity_types_and_a_chain_id_of_another_type_are_refused()
    {
        Assert.Equal("typedData.types", Refused(Typed("""
            "T":[{"name":"a","type":"uint256"}],"uint256":[{"name":"b","type":"bool"}]
            """, """{"a":1}""")).Field);
        Assert.Equal("typedData.types.EIP712Domain.chainId", Refused("""
            {"types":{"EIP712Domain":[{"name":"chainId","type":"string"}]},"primaryType":"EIP712Domain","domain":{"chainId":"1"}}
            """).Field);
    }

    [Fact]
    public void A_member_or_part_given_twice_is_refused()
    {
        Assert.Equal("typedData.message.a", Refused(Typed("""
            "T":[{"name":"a","type":"uint8"}]
            """, """{"a":1,"a":2}""")).Field);
        Assert.Equal("typedData.message", Refused(Typed("""
            "T":[{"name":"a","type":"uint8"}]
            """, """{"a":1}""") .Replace("}}", "},\"message\":{\"a\":2}}", StringComparison.Ordinal)).Field);
    }
}
