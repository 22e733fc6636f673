namespace Custody.Hsm.Tests;

[Collection(HsmCollection.Name)]
public class RandomTests(SoftHsmFixture fixture)
{
    [Fact]
    public void Returns_the_requested_number_of_bytes_and_never_the_same_twice()
    {
        Assert.Empty(fixture.Hsm.Random.GetBytes(0));
        var a = fixture.Hsm.Random.GetBytes(32);
        var b = fixture.Hsm.Random.GetBytes(32);
        Assert.Equal(32, a.Length);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Large_requests_are_served_in_chunks_and_look_random()
    {
        var bytes = fixture.Hsm.Random.GetBytes(200_000); // > 3 chunks of 64 KiB
        var counts = new int[256];
        foreach (var b in bytes) counts[b]++;
        // 200,000 uniform bytes: each value ~781 times; a stuck or zero-filled chunk would break this.
        Assert.All(counts, c => Assert.InRange(c, 600, 980));
        Assert.NotEqual(bytes.AsSpan(0, 65_536).ToArray(), bytes.AsSpan(65_536, 65_536).ToArray());
    }

    [Fact]
    public void Fills_a_span()
    {
        Span<byte> buffer = stackalloc byte[48];
        fixture.Hsm.Random.Fill(buffer);
        Assert.Contains(buffer.ToArray(), b => b != 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Hsm.Random.GetBytes(-1));
    }
}
