namespace Custody.TestKit;

/// <summary>
/// A test on the shared daemon that fails when the daemon logged an error during it that the test
/// did not declare with <see cref="ExpectErrors"/> (as grpc-dotnet's tests do): checked for each
/// test, so an unexpected error names the test that caused it, rather than once for the fixture.
/// Tests of one collection run one at a time, so the errors logged between a test's start and its
/// end are its own.
/// </summary>
public abstract class LoggedTest : IDisposable
{
    private readonly ErrorLogCollector _logs;
    private readonly int _mark;
    private readonly List<Func<string, bool>> _expected = [];

    protected LoggedTest(ErrorLogCollector logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        _logs = logs;
        _mark = logs.ErrorCount;
    }

    /// <summary>Errors this test causes on purpose, by what their line contains.</summary>
    protected void ExpectErrors(string containing) => _expected.Add(line => line.Contains(containing, StringComparison.Ordinal));

    public void Dispose()
    {
        var unexpected = _logs.ErrorsSince(_mark).Where(line => !_expected.Any(expected => expected(line))).ToArray();
        GC.SuppressFinalize(this);
        Assert.True(unexpected.Length == 0, "the daemon logged errors this test did not expect:\n" + string.Join("\n", unexpected));
        DisposeTest();
    }

    /// <summary>What a test class cleans up after the check.</summary>
    protected virtual void DisposeTest()
    {
    }
}
