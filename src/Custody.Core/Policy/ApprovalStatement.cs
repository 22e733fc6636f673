using System.Globalization;
using System.Text;

namespace Custody.Core.Policy;

/// <summary>
/// The canonical statement an approver signs, as fixed ASCII lines (docs/policy.md):
/// <code>
/// custody-approval-v1
/// request:&lt;64 hex, the request digest&gt;
/// intent:&lt;64 hex, the intent digest&gt;
/// policy:&lt;policy version, decimal&gt;
/// expires:&lt;Unix seconds, decimal&gt;
/// verdict:approve|reject
/// </code>
/// each line ending in "\n". Binding both digests, the version and the expiry means a
/// signature cannot be replayed onto another request, another transaction, another policy
/// version or past its window; the verdict line keeps a rejection from serving as an approval.
/// </summary>
public sealed record ApprovalStatement(string RequestDigest, string IntentDigest, long PolicyVersion, DateTimeOffset ExpiresAt, ApprovalVerdict Verdict)
{
    public const string Header = "custody-approval-v1";

    public byte[] ToBytes()
    {
        var text = new StringBuilder()
            .Append(Header).Append('\n')
            .Append("request:").Append(Digest(RequestDigest, "request")).Append('\n')
            .Append("intent:").Append(Digest(IntentDigest, "intent")).Append('\n')
            .Append("policy:").Append(PolicyVersion.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("expires:").Append(ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("verdict:").Append(Verdict == ApprovalVerdict.Approve ? "approve" : "reject").Append('\n')
            .ToString();
        return Encoding.ASCII.GetBytes(text);
    }

    public override string ToString() => Encoding.ASCII.GetString(ToBytes());

    private static string Digest(string hex, string field)
    {
        if (hex is null || hex.Length != 64 || !hex.All(char.IsAsciiHexDigit))
            throw new InvalidInputException(field, "a digest is 64 hex digits");
        return hex.ToLowerInvariant();
    }
}
