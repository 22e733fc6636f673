using System.Numerics;

namespace Custody.Core.Policy;

/// <summary>Limits on one asset of one chain; every limit is inclusive (exactly the limit passes).</summary>
/// <param name="MaxPerTransaction">Most the transaction may send of this asset (non-change outputs summed).</param>
/// <param name="ApprovalAbove">Above this amount (strictly), the transaction needs the policy's approvals.</param>
/// <param name="Velocity">Rolling-window limits per wallet.</param>
public sealed record AssetRules(BigInteger? MaxPerTransaction, BigInteger? ApprovalAbove, IReadOnlyList<VelocityLimit> Velocity);
