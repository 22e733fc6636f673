using System.Numerics;

namespace Custody.Core.Policy;

/// <summary>What a policy allows on one chain.</summary>
/// <param name="Assets">Allowed assets ("native" or the token contract / mint) and their limits.</param>
/// <param name="AllowList">When set, every destination must be in it; null means any destination not denied.</param>
/// <param name="DenyList">Destinations (and called contracts) that are always refused.</param>
/// <param name="MaxFee">Most the transaction may cost in fees, native base units (Bitcoin absolute fee, EVM gas limit × max fee per gas).</param>
/// <param name="MaxFeeRateMilli">Bitcoin family: most sat/vB, in thousandths (the intent must carry a "vsize:N" note).</param>
/// <param name="ContractCalls">Contract calls (not decoded as transfers) allowed by contract and selector.</param>
/// <param name="AllowNotes">Decoder notes that do not refuse the request, e.g. "erc20:approve"; a trailing * matches a prefix.</param>
/// <param name="RawSigning">Whether opaque digests / messages (no decoded intent) may be signed.</param>
/// <param name="AllowReplacement">Whether a transaction may replace one already signed (EVM fee bump, Bitcoin RBF).</param>
/// <param name="AllowUnresolvedDestinations">Whether an output whose destination the decoder could not resolve is accepted.</param>
/// <param name="RequireFullPrevTx">Bitcoin family: refuse inputs whose amount rests on witness_utxo alone (on unless the policy says false).</param>
public sealed record ChainRules(
    IReadOnlyDictionary<string, AssetRules> Assets,
    IReadOnlySet<string>? AllowList,
    IReadOnlySet<string> DenyList,
    BigInteger? MaxFee,
    BigInteger? MaxFeeRateMilli,
    IReadOnlyList<ContractCallRule> ContractCalls,
    IReadOnlyList<string> AllowNotes,
    bool RawSigning,
    bool AllowReplacement,
    bool AllowUnresolvedDestinations,
    bool RequireFullPrevTx = false);
