using Custody.Core.Audit;
using Custody.Core.Policy;

namespace Custody.Core.Tests.Audit;

public class AuditRecordEncodingTests
{
    private static AuditRecord Sample(long sequence = 1) => new()
    {
        Sequence = sequence,
        Time = DateTimeOffset.UnixEpoch.AddTicks(10),
        Principal = "al",
        Action = "sign",
        WalletId = "w1",
        Chain = "btc",
        RequestDigest = new byte[] { 0xaa, 0xbb },
        Decision = PolicyOutcome.Allow,
        Rule = "r",
        TxId = "t",
        Details = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" },
    };

    // The documented layout, field by field; changing it breaks every existing log.
    [Fact]
    public void Version_1_layout_is_frozen()
    {
        const string expected =
            "01" + "0000000000000001" + "0000000000000001"
            + "0002616c" + "00047369676e" + "00027731" + "0003627463" + "0002aabb"
            + "01" + "000172" + "0000" + "000174"
            + "0002" + "000161" + "000131" + "000162" + "000132";
        Assert.Equal(expected, VectorFile.ToHex(AuditRecordEncoding.Encode(Sample())));
    }

    [Fact]
    public void Round_trips_and_normalises()
    {
        var record = Sample() with { Time = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)).AddTicks(1234567) };
        Assert.Equal(TimeSpan.Zero, record.Time.Offset);
        Assert.Equal(0, record.Time.Ticks % 10);
        Assert.Equal(record, AuditRecordEncoding.Decode(AuditRecordEncoding.Encode(record)));
        Assert.Equal(["a", "b"], record.Details.Keys);
        Assert.Null((record with { WalletId = "" }).WalletId);
        var minimal = new AuditRecord { Principal = "p", Action = "a" };
        Assert.Equal(minimal, AuditRecordEncoding.Decode(AuditRecordEncoding.Encode(minimal)));
        Assert.NotEqual(minimal, minimal with { RequestDigest = new byte[] { 1 } });
        foreach (var outcome in Enum.GetValues<PolicyOutcome>())
            Assert.Equal(outcome, AuditRecordEncoding.Decode(AuditRecordEncoding.Encode(minimal with { Decision = outcome })).Decision);
    }

    [Fact]
    public void Digests_are_copied_on_the_way_in()
    {
        var digest = new byte[] { 1, 2, 3 };
        var record = Sample() with { RequestDigest = digest };
        digest[0] = 9;
        Assert.Equal(1, record.RequestDigest.Span[0]);
    }

    [Fact]
    public void Limits_name_the_field()
    {
        var r = Sample();
        Assert.Equal("principal", Throws(r with { Principal = "" }));
        Assert.Equal("action", Throws(r with { Action = new string('x', 1025) }));
        Assert.Equal("rule", Throws(r with { Rule = "bad \ud800 text" }));
        Assert.Equal("request_digest", Throws(r with { RequestDigest = new byte[65] }));
        Assert.Equal("details", Throws(r with { Details = Enumerable.Range(0, 33).ToDictionary(i => $"k{i}", i => "v") }));
        Assert.Equal("details", Throws(r with { Details = new Dictionary<string, string> { ["has space"] = "v" } }));
        Assert.Equal("details", Throws(r with { Details = new Dictionary<string, string> { [new string('k', 65)] = "v" } }));
        Assert.Equal("details.k", Throws(r with { Details = new Dictionary<string, string> { ["k"] = new string('v', 1025) } }));
        Assert.NotNull(AuditRecordEncoding.Encode(r with { Action = new string('é', 512) }));
    }

    private static string Throws(AuditRecord r) => Assert.Throws<InvalidInputException>(() => AuditRecordEncoding.Encode(r)).Field;

    [Fact]
    public void Non_canonical_encodings_are_rejected()
    {
        var good = AuditRecordEncoding.Encode(Sample());
        Assert.Throws<InvalidInputException>(() => AuditRecordEncoding.Decode([.. good, 0]));
        Assert.Throws<InvalidInputException>(() => AuditRecordEncoding.Decode([2, .. good[1..]]));
        var swapped = AuditRecordEncoding.Encode(Sample() with { Details = new Dictionary<string, string>() })[..^2];
        // Details written in descending key order.
        byte[] descending = [.. swapped, 0, 2, 0, 1, (byte)'b', 0, 1, (byte)'2', 0, 1, (byte)'a', 0, 1, (byte)'1'];
        Assert.Contains("ascending", Assert.Throws<InvalidInputException>(() => AuditRecordEncoding.Decode(descending)).Reason);
        var badDecision = (byte[])good.Clone();
        const int decisionOffset = 1 + 8 + 8 + 4 + 6 + 4 + 5 + 4; // version, sequence, time, "al", "sign", "w1", "btc", digest
        Assert.Equal(1, badDecision[decisionOffset]);
        badDecision[decisionOffset] = 9;
        Assert.Throws<InvalidInputException>(() => AuditRecordEncoding.Decode(badDecision));
    }

    // Whatever the bytes, Decode either throws InvalidInputException or returns a record
    // whose encoding is exactly those bytes: one record, one encoding.
    [Fact]
    public void Random_truncated_and_mutated_input_never_crashes_and_only_canonical_bytes_decode()
    {
        var random = new Random(6962);
        var samples = Enumerable.Range(0, 20).Select(i => AuditRecordEncoding.Encode(RandomRecord(random, i))).ToList();
        var inputs = new List<byte[]>();
        foreach (var s in samples)
        {
            for (var n = 0; n < s.Length; n++) inputs.Add(s[..n]);
            for (var k = 0; k < 200; k++)
            {
                var m = (byte[])s.Clone();
                m[random.Next(m.Length)] = (byte)random.Next(256);
                inputs.Add(m);
            }
        }
        for (var k = 0; k < 2000; k++)
        {
            var junk = new byte[random.Next(0, 200)];
            random.NextBytes(junk);
            if (junk.Length > 0) junk[0] = 1;
            inputs.Add(junk);
        }
        var decoded = 0;
        foreach (var input in inputs)
        {
            try
            {
                var record = AuditRecordEncoding.Decode(input);
                Assert.Equal(input, AuditRecordEncoding.Encode(record));
                decoded++;
            }
            catch (InvalidInputException)
            {
            }
        }
        Assert.True(decoded >= samples.Count, "the mutations that happen to stay valid still decode");
    }

    private static AuditRecord RandomRecord(Random random, int i)
    {
        string Text(int max) => new([.. Enumerable.Range(0, random.Next(0, max)).Select(_ => (char)random.Next(0x20, 0x3000))]);
        byte[] Bytes(int max)
        {
            var b = new byte[random.Next(0, max)];
            random.NextBytes(b);
            return b;
        }
        return new AuditRecord
        {
            Sequence = random.NextInt64(0, long.MaxValue),
            Time = DateTimeOffset.UnixEpoch.AddSeconds(random.Next()),
            Principal = "p" + Text(40),
            Action = "a" + Text(20),
            WalletId = Text(20),
            Chain = Text(10),
            RequestDigest = Bytes(33),
            Decision = i % 6 == 0 ? null : (PolicyOutcome)(i % 5),
            Rule = Text(30),
            ResultDigest = Bytes(65),
            TxId = Text(64),
            Details = Enumerable.Range(0, random.Next(0, 5)).ToDictionary(k => $"key{k}", _ => Text(50)),
        };
    }
}
