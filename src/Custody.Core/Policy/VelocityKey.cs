using System.Numerics;

namespace Custody.Core.Policy;

/// <summary>One velocity counter of a wallet: an asset of a chain over a rolling window.</summary>
public readonly record struct VelocityKey(string Chain, string Asset, TimeSpan Window);

/// <summary>What a wallet sent of an asset within a window: the sum and the number of transactions.</summary>
public readonly record struct VelocityTotal(BigInteger Sum, long Count);
