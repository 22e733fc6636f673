namespace Custody.Core.Audit;

/// <summary>Filters for reading the log; null means "any". Times: <see cref="From"/> inclusive, <see cref="To"/> exclusive.</summary>
public sealed record AuditQuery
{
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public string? Principal { get; init; }
    public string? WalletId { get; init; }
    public string? Action { get; init; }

    /// <summary>Start at this sequence number (for paging).</summary>
    public long? FromSequence { get; init; }

    public int? Limit { get; init; }
}
