namespace Custody.SigningProbe;

/// <summary>A clock that moves only when told, so the key ring cache expires exactly when the probe says.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
