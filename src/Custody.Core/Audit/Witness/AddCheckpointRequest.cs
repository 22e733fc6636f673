using System.Globalization;
using System.Text;
using Custody.Core.Audit.Notes;

namespace Custody.Core.Audit.Witness;

/// <summary>
/// The body of a C2SP tlog-witness <c>add-checkpoint</c> call: <c>old &lt;size&gt;</c>, the RFC 6962
/// consistency proof from that size to the checkpoint's (one base64 hash a line), a blank line, then
/// the signed checkpoint note.
/// </summary>
public sealed record AddCheckpointRequest(long OldSize, IReadOnlyList<byte[]> Proof, string Note)
{
    /// <summary>The protocol allows at most this many proof lines (a proof of a tree of 2^63 leaves).</summary>
    public const int MaxProofLines = 63;

    public override string ToString()
    {
        var body = new StringBuilder("old ").Append(OldSize.ToString(CultureInfo.InvariantCulture)).Append('\n');
        foreach (var hash in Proof) body.Append(Convert.ToBase64String(hash)).Append('\n');
        return body.Append('\n').Append(Note).ToString();
    }

    /// <summary>Parses a request body; the note is only split off, not verified.</summary>
    public static AddCheckpointRequest Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var blank = body.IndexOf("\n\n", StringComparison.Ordinal);
        if (blank < 0) throw Bad("no blank line before the checkpoint");
        var lines = body[..blank].Split('\n');
        var old = lines[0];
        if (!old.StartsWith("old ", StringComparison.Ordinal)) throw Bad("the first line is not 'old <size>'");
        var size = old[4..];
        if (size.Length is 0 or > 19 || !size.All(char.IsAsciiDigit) || (size.Length > 1 && size[0] == '0')
            || !long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var oldSize))
            throw Bad("the old size is not a decimal number without leading zeros");
        if (lines.Length - 1 > MaxProofLines) throw Bad($"more than {MaxProofLines} proof lines");
        var proof = lines.Skip(1).Select(line => StrictBase64.Decode(line) is { Length: Merkle.MerkleHash.Size } hash ? hash : throw Bad("a proof line is not base64 of 32 bytes")).ToList();
        return new AddCheckpointRequest(oldSize, proof, body[(blank + 2)..]);
    }

    private static InvalidInputException Bad(string reason) => new("add_checkpoint", reason);
}
