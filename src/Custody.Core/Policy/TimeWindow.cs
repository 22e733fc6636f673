namespace Custody.Core.Policy;

/// <summary>A UTC window: the listed days, from <paramref name="FromHour"/> (inclusive) to <paramref name="ToHour"/> (exclusive).</summary>
public sealed record TimeWindow(IReadOnlySet<DayOfWeek> Days, int FromHour, int ToHour)
{
    public bool Contains(DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        return Days.Contains(utc.DayOfWeek) && utc.Hour >= FromHour && utc.Hour < ToHour;
    }
}
