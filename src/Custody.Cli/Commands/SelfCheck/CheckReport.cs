namespace Custody.Cli.SelfCheck;

/// <summary>Runs named checks, prints one line each ("ok  name", "FAIL name: why", "skip name") and a summary.</summary>
internal sealed class CheckReport(TextWriter output)
{
    private int _passed;
    private int _failed;
    private int _skipped;

    /// <summary>Runs <paramref name="check"/>; whatever it throws is a failure of this check only.</summary>
    public bool Check(string name, Func<string?> check)
    {
        try
        {
            var detail = check();
            output.WriteLine(detail is null ? $"ok  {name}" : $"ok  {name} {detail}");
            _passed++;
            return true;
        }
        catch (Exception e)
        {
            output.WriteLine($"FAIL {name}: {e.Message}");
            _failed++;
            return false;
        }
    }

    public void Skip(params string[] names)
    {
        foreach (var name in names)
        {
            output.WriteLine($"skip {name}");
            _skipped++;
        }
    }

    /// <summary>Prints the summary; the exit code is 0 only when every check ran and passed.</summary>
    public int Summarise()
    {
        var total = _passed + _failed + _skipped;
        if (_failed == 0 && _skipped == 0)
        {
            output.WriteLine($"selfcheck: all {total} checks passed");
            return CliRunner.Ok;
        }
        output.WriteLine($"selfcheck: {_failed} of {total} checks failed, {_skipped} skipped");
        return CliRunner.Failure;
    }
}
