namespace Custody.Core.Tests.TestKit;

/// <summary>The fuzz guard fails a decoder that always throws, and one that accepts everything.</summary>
public class FuzzCoverageTests
{
    [Fact]
    public void A_decoder_that_always_refuses_fails_the_guard()
    {
        var coverage = new FuzzCoverage("always refuses");
        for (var i = 0; i < 100; i++) coverage.Try(() => throw new InvalidInputException("x", "no"));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => coverage.AssertReached(1, 1));
    }

    [Fact]
    public void A_decoder_that_accepts_everything_fails_the_guard()
    {
        var coverage = new FuzzCoverage("always accepts");
        for (var i = 0; i < 100; i++) coverage.Try(() => { });
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => coverage.AssertReached(1, 1));
    }

    [Fact]
    public void Any_other_exception_fails_at_once()
    {
        var coverage = new FuzzCoverage("crashes");
        Assert.Throws<InvalidOperationException>(() => coverage.Try(() => throw new InvalidOperationException("a decoder bug")));
    }
}
