using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Custody.Core.Chains;
using Custody.Core.Crypto;

namespace Custody.Core.Policy;

/// <summary>
/// The canonical JSON of a <see cref="TransactionIntent"/>: fixed property order, amounts as
/// decimal strings, no whitespace. Its SHA-256 is the intent digest that approvals sign;
/// the conflict store keeps it to judge a later replacement.
/// </summary>
/// <remarks>
/// The typed measurements (<see cref="TransactionIntent.VirtualSize"/>, <see cref="TransactionIntent.CalldataDigest"/>)
/// travel in the document as the "vsize:N" and "calldata-sha256:hex" entries at the end of "notes",
/// the form intents had when they were notes: the same intent has the same digest as before, and
/// intents stored in ledgers then read back with their measurements typed.
/// </remarks>
public static class IntentJson
{
    private const int MaxBytes = 4 * 1024 * 1024;

    public static string Write(TransactionIntent intent)
    {
        ArgumentNullException.ThrowIfNull(intent);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("chain", intent.Chain.Id);
            WriteStrings(w, "sources", intent.Sources);
            w.WriteStartArray("outputs");
            foreach (var output in intent.Outputs)
            {
                w.WriteStartObject();
                w.WriteString("destination", output.Destination);
                w.WriteString("asset", output.Asset);
                w.WriteString("amount", output.Amount.ToString(CultureInfo.InvariantCulture));
                w.WriteBoolean("isChange", output.IsChange);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("fee", intent.Fee.ToString(CultureInfo.InvariantCulture));
            if (intent.Call is { } call)
            {
                w.WriteStartObject("call");
                w.WriteString("contract", call.Contract);
                w.WriteString("selector", call.Selector);
                w.WriteString("value", call.Value.ToString(CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("call");
            }
            WriteStrings(w, "replayKeys", intent.ReplayKeys);
            WriteStrings(w, "notes", NotesWithMeasurements(intent));
            // Only families that make claims carry the member, so other intents keep their digests.
            if (intent.ReplayClaims.Count > 0)
            {
                w.WriteStartObject("replayClaims");
                foreach (var (key, claim) in intent.ReplayClaims.OrderBy(c => c.Key, StringComparer.Ordinal))
                    w.WriteString(key, claim.ToString());
                w.WriteEndObject();
            }
            if (intent.WitnessUtxoOnlyInputs.Count > 0) WriteStrings(w, "witnessUtxoOnlyInputs", intent.WitnessUtxoOnlyInputs);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>SHA-256 of the canonical JSON, lower-case hex.</summary>
    public static string Digest(TransactionIntent intent) =>
        Convert.ToHexStringLower(Hashes.Sha256(Encoding.UTF8.GetBytes(Write(intent))));

    public static TransactionIntent Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > MaxBytes) throw new InvalidInputException("intent", "too long");
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var outputs = root.GetProperty("outputs").EnumerateArray().Select(o => new IntentOutput(
                o.GetProperty("destination").GetString(),
                o.GetProperty("asset").GetString() ?? throw new InvalidInputException("intent", "output without asset"),
                Amount(o.GetProperty("amount")),
                o.GetProperty("isChange").GetBoolean())).ToArray();
            var callElement = root.GetProperty("call");
            var call = callElement.ValueKind == JsonValueKind.Null ? null : new ContractCall(
                callElement.GetProperty("contract").GetString() ?? "",
                callElement.GetProperty("selector").GetString() ?? "",
                Amount(callElement.GetProperty("value")));
            var notes = Strings(root.GetProperty("notes"));
            return new TransactionIntent(
                ChainRegistry.Get(root.GetProperty("chain").GetString() ?? throw new InvalidInputException("intent", "no chain")),
                Strings(root.GetProperty("sources")),
                outputs,
                Amount(root.GetProperty("fee")),
                call,
                Strings(root.GetProperty("replayKeys")),
                notes.Where(n => !IsMeasurement(n)).ToArray())
            {
                ReplayClaims = root.TryGetProperty("replayClaims", out var claims)
                    ? claims.EnumerateObject().ToDictionary(c => c.Name,
                        c => ReplayClaim.Parse(c.Value.GetString() ?? throw new InvalidInputException("intent", "null claim")), StringComparer.Ordinal)
                    : new Dictionary<string, ReplayClaim>(StringComparer.Ordinal),
                VirtualSize = Measurement(notes, VirtualSizePrefix) is { } vsize
                    ? long.TryParse(vsize, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new InvalidInputException("intent", "vsize is not a positive integer")
                    : null,
                WitnessUtxoOnlyInputs = root.TryGetProperty("witnessUtxoOnlyInputs", out var witnessOnly) ? Strings(witnessOnly) : [],
                CalldataDigest = Measurement(notes, CalldataDigestPrefix) is { } digest
                    ? digest.Length == 64 && Wire.HexText.IsLowerHex(digest) ? digest : throw new InvalidInputException("intent", "calldata digest is not 32 bytes of hex")
                    : null,
            };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException
                                      and not InvalidInputException)
        {
            throw new InvalidInputException("intent", "not a canonical intent document", e);
        }
    }

    private const string VirtualSizePrefix = "vsize:";
    private const string CalldataDigestPrefix = "calldata-sha256:";

    private static bool IsMeasurement(string note) =>
        note.StartsWith(VirtualSizePrefix, StringComparison.Ordinal) || note.StartsWith(CalldataDigestPrefix, StringComparison.Ordinal);

    private static IEnumerable<string> NotesWithMeasurements(TransactionIntent intent)
    {
        foreach (var note in intent.Notes) yield return note;
        if (intent.CalldataDigest is { } digest) yield return CalldataDigestPrefix + digest;
        if (intent.VirtualSize is { } vsize) yield return VirtualSizePrefix + vsize.ToString(CultureInfo.InvariantCulture);
    }

    // At most one of each: a document with two is not one this class wrote.
    private static string? Measurement(string[] notes, string prefix) =>
        notes.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToArray() switch
        {
            [] => null,
            [var one] => one[prefix.Length..],
            _ => throw new InvalidInputException("intent", $"more than one {prefix[..^1]} measurement"),
        };

    private static BigInteger Amount(JsonElement element) =>
        BigInteger.Parse(element.GetString() ?? "", NumberStyles.None, CultureInfo.InvariantCulture);

    private static string[] Strings(JsonElement array) =>
        array.EnumerateArray().Select(e => e.GetString() ?? throw new InvalidInputException("intent", "null in a list")).ToArray();

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values) w.WriteStringValue(value);
        w.WriteEndArray();
    }
}
