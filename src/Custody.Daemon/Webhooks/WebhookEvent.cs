using System.Globalization;
using System.Text.Json;
using Custody.Core.Audit;
using Custody.Core.Policy;

namespace Custody.Daemon.Webhooks;

/// <summary>
/// An event made of an audit record: the audit log is the outbox. Every change commits with its
/// record, so reading the log from a cursor sees every event exactly in commit order, and a restart
/// resumes from the cursor. The id is the record's sequence number: a redelivery carries the same id.
/// </summary>
public sealed record WebhookEvent(string Id, string Type, long Sequence, byte[] Body)
{
    public const string Parked = "request.parked";
    public const string Approved = "request.approved";
    public const string Rejected = "request.rejected";
    public const string Expired = "request.expired";
    public const string Frozen = "policy.frozen";
    public const string Unfrozen = "policy.unfrozen";

    /// <summary>The event a record stands for, or null for records that are no event.</summary>
    public static WebhookEvent? From(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var type = record.Action switch
        {
            AuditActions.SignTransaction or AuditActions.SignMessage when record.Decision == PolicyOutcome.NeedsApproval
                && record.Details.TryGetValue("parked", out var parked) && parked == "new" => Parked,
            AuditActions.ApprovalRecorded => record.Details.GetValueOrDefault("verdict") == "reject" ? Rejected : Approved,
            AuditActions.ApprovalExpired => Expired,
            AuditActions.Frozen => Frozen,
            AuditActions.Unfrozen => Unfrozen,
            _ => null,
        };
        if (type is null) return null;
        var id = "evt_" + record.Sequence.ToString(CultureInfo.InvariantCulture);
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
        {
            ["id"] = id,
            ["type"] = type,
            ["time"] = record.Time.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            ["sequence"] = record.Sequence,
            ["principal"] = record.Principal,
            ["walletId"] = record.WalletId,
            ["chain"] = record.Chain,
            ["details"] = record.Details,
        });
        return new WebhookEvent(id, type, record.Sequence, body);
    }
}
