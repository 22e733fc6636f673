namespace Custody.Daemon.Tests;

internal static class Eventually
{
    /// <summary>Retries <paramref name="attempt"/> until it stops throwing or <paramref name="within"/> has passed (then rethrows).</summary>
    public static async Task<T> SucceedsAsync<T>(Func<Task<T>> attempt, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
