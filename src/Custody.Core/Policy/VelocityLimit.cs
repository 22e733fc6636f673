using System.Numerics;

namespace Custody.Core.Policy;

/// <summary>At most <paramref name="MaxAmount"/> sent and <paramref name="MaxCount"/> transactions within any <paramref name="Window"/>.</summary>
public sealed record VelocityLimit(TimeSpan Window, BigInteger? MaxAmount, long? MaxCount);
