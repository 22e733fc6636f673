using System.Text.Encodings.Web;
using System.Text.Json;
using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Policy;

namespace Custody.Cli.Audit;

/// <summary>
/// Export as JSON lines: one object per record, always the same fields in the same
/// order (absent values are null), times as ISO 8601 UTC with microseconds, bytes as
/// lower-case hex, and the record's Merkle leaf hash so a line can be matched to a proof.
/// Text is written as UTF-8 with only the escapes JSON requires (the output is data, not HTML).
/// </summary>
internal static class AuditJsonLines
{
    public static void Write(Stream output, IEnumerable<AuditRecord> records)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(records);
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        foreach (var record in records)
        {
            WriteRecord(json, record);
            json.Flush();
            output.WriteByte((byte)'\n');
            json.Reset();
        }
    }

    public static string ToLine(AuditRecord record)
    {
        using var buffer = new MemoryStream();
        Write(buffer, [record]);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray()).TrimEnd('\n');
    }

    private static void WriteRecord(Utf8JsonWriter json, AuditRecord r)
    {
        json.WriteStartObject();
        json.WriteNumber("seq", r.Sequence);
        json.WriteString("time", r.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        json.WriteString("principal", r.Principal);
        json.WriteString("action", r.Action);
        json.WriteString("wallet", r.WalletId);
        json.WriteString("chain", r.Chain);
        json.WriteString("request_digest", Hex(r.RequestDigest));
        json.WriteString("decision", DecisionName(r.Decision));
        json.WriteString("rule", r.Rule);
        json.WriteString("result_digest", Hex(r.ResultDigest));
        json.WriteString("txid", r.TxId);
        json.WriteStartObject("details");
        foreach (var (key, value) in r.Details) json.WriteString(key, value);
        json.WriteEndObject();
        json.WriteString("leaf_hash", Convert.ToHexStringLower(MerkleHash.Leaf(AuditRecordEncoding.Encode(r))));
        json.WriteEndObject();
    }

    private static string? Hex(ReadOnlyMemory<byte> bytes) => bytes.IsEmpty ? null : Convert.ToHexStringLower(bytes.Span);

    private static string? DecisionName(PolicyOutcome? decision) => decision switch
    {
        null => null,
        PolicyOutcome.Allow => "allow",
        PolicyOutcome.Deny => "deny",
        PolicyOutcome.NeedsApproval => "needs_approval",
        PolicyOutcome.Frozen => "frozen",
        PolicyOutcome.Failed => "failed",
        _ => decision.ToString()!.ToLowerInvariant(),
    };
}
