using System.Diagnostics;

namespace Custody.TestKit;

/// <summary>Retries an attempt until it stops throwing, or the time is up (then its last exception is the test's).</summary>
public static class Eventually
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);

    /// <summary>Retries <paramref name="attempt"/> while it throws what <paramref name="retryOn"/> accepts (anything by default), for up to <paramref name="within"/>.</summary>
    public static async Task<T> SucceedsAsync<T>(Func<Task<T>> attempt, TimeSpan within, Func<Exception, bool>? retryOn = null)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await attempt().ConfigureAwait(false);
            }
            catch (Exception e) when (clock.Elapsed < within && (retryOn?.Invoke(e) ?? true))
            {
                await Task.Delay(Pause).ConfigureAwait(false);
            }
        }
    }

    /// <summary>As <see cref="SucceedsAsync{T}"/>, for a synchronous attempt.</summary>
    public static T Succeeds<T>(Func<T> attempt, TimeSpan within, Func<Exception, bool>? retryOn = null)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return SucceedsAsync(() => Task.FromResult(attempt()), within, retryOn).GetAwaiter().GetResult();
    }
}
