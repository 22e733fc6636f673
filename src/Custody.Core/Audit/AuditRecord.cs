using System.Collections.Immutable;
using Custody.Core.Policy;

namespace Custody.Core.Audit;

/// <summary>
/// One entry of the audit log: who did what to which wallet, what was decided under
/// which rule, and what came out. It is the leaf data of the log's Merkle tree, in the
/// canonical form <see cref="AuditRecordEncoding"/> defines.
/// <para>
/// Secrets never go in here: no PINs, seeds, tokens, private keys, nor the payloads
/// themselves. A request or a result is referred to by its digest (SHA-256 of the
/// chain-native payload) or by its public transaction id, and <see cref="Details"/>
/// carries small public facts (amounts, destinations, approver names).
/// </para>
/// </summary>
public sealed record AuditRecord
{
    /// <summary>Position in the log, from 0, without gaps; the log assigns it on append.</summary>
    public long Sequence
    {
        get;
        init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(Sequence), "a sequence number is not negative");
    }

    /// <summary>When the log accepted the record, UTC, to the microsecond (the stored precision).</summary>
    public DateTimeOffset Time
    {
        get;
        init => field = new DateTimeOffset(value.UtcTicks - value.UtcTicks % TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);
    } = DateTimeOffset.UnixEpoch;

    /// <summary>The authenticated caller or operator (token or certificate subject).</summary>
    public required string Principal { get; init; }

    /// <summary>What happened: one of <see cref="AuditActions"/>, e.g. "sign.transaction", "policy.published".</summary>
    public required string Action { get; init; }

    public string? WalletId { get; init => field = NullIfEmpty(value); }

    /// <summary>The chain id as <c>ChainRegistry</c> names it ("btc", "evm:137").</summary>
    public string? Chain { get; init => field = NullIfEmpty(value); }

    /// <summary>SHA-256 of the request payload; empty when the action has none.</summary>
    public ReadOnlyMemory<byte> RequestDigest { get; init => field = value.ToArray(); }

    /// <summary>The policy outcome, or null when the action was not a policy decision.</summary>
    public PolicyOutcome? Decision { get; init; }

    /// <summary>The rule that decided.</summary>
    public string? Rule { get; init => field = NullIfEmpty(value); }

    /// <summary>Digest of the signed result (the signature or signed payload); empty when nothing was signed.</summary>
    public ReadOnlyMemory<byte> ResultDigest { get; init => field = value.ToArray(); }

    /// <summary>The public transaction id of the signed transaction, in the chain's own text form.</summary>
    public string? TxId { get; init => field = NullIfEmpty(value); }

    /// <summary>Small public facts, sorted by key.</summary>
    public IReadOnlyDictionary<string, string> Details
    {
        get;
        init => field = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, value);
    } = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    public bool Equals(AuditRecord? other) =>
        other is not null
        && Sequence == other.Sequence
        && Time == other.Time
        && Principal == other.Principal
        && Action == other.Action
        && WalletId == other.WalletId
        && Chain == other.Chain
        && RequestDigest.Span.SequenceEqual(other.RequestDigest.Span)
        && Decision == other.Decision
        && Rule == other.Rule
        && ResultDigest.Span.SequenceEqual(other.ResultDigest.Span)
        && TxId == other.TxId
        && Details.Count == other.Details.Count
        && Details.All(d => other.Details.TryGetValue(d.Key, out var v) && v == d.Value);

    public override int GetHashCode() => HashCode.Combine(Sequence, Time, Principal, Action, WalletId);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
