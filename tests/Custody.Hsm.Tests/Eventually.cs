using System.Diagnostics;

namespace Custody.Hsm.Tests;

internal static class Eventually
{
    /// <summary>Retries <paramref name="action"/> while the HSM reports itself unavailable, up to <paramref name="limit"/>.</summary>
    public static T Succeeds<T>(Func<T> action, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return action();
            }
            catch (HsmUnavailableException) when (clock.Elapsed < limit)
            {
                Thread.Sleep(50);
            }
        }
    }
}
