using Custody.Core;

namespace Custody.TestKit;

/// <summary>
/// Counts what a fuzz loop's decoder did with its inputs — accepted, or refused with
/// InvalidInputException (anything else fails the test at once) — so that the test can demand
/// that both happened often enough. Without that guard a fuzz test "never crashes" just as well
/// when the decoder refuses everything, or accepts everything, and cannot fail for the property
/// it names.
/// </summary>
public sealed class FuzzCoverage(string name)
{
    public int Accepted { get; private set; }

    public int Refused { get; private set; }

    /// <summary>Runs one decode; true when it accepted the input.</summary>
    public bool Try(Action decode)
    {
        ArgumentNullException.ThrowIfNull(decode);
        try
        {
            decode();
            Accepted++;
            return true;
        }
        catch (InvalidInputException e)
        {
            Assert.False(string.IsNullOrEmpty(e.Field), $"{name}: a refusal names no field");
            Refused++;
            return false;
        }
    }

    /// <summary>Fails unless the decoder accepted and refused at least this many inputs.</summary>
    public void AssertReached(int minAccepted, int minRefused) =>
        Assert.True(Accepted >= minAccepted && Refused >= minRefused,
            $"{name}: {Accepted} inputs accepted (at least {minAccepted} expected) and {Refused} refused (at least {minRefused} expected): " +
            "the inputs no longer reach the decoder's paths, or the decoder refuses (or accepts) everything");
}
