using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Custody.Core.Policy;

namespace Custody.Core.Audit;

/// <summary>
/// The canonical binary form of an <see cref="AuditRecord"/>: the bytes the Merkle leaf
/// hashes. One record has exactly one encoding, so a verifier can recompute it.
/// <code>
/// version 1, integers big-endian:
///   u8   version = 1
///   u64  sequence
///   i64  time: microseconds since 1970-01-01T00:00:00Z
///   text principal          (required)
///   text action             (required)
///   text wallet_id          (empty = none)
///   text chain              (empty = none)
///   blob request_digest     (empty = none)
///   u8   decision           0 none, 1 allow, 2 deny, 3 needs_approval, 4 frozen, 5 failed
///   text rule               (empty = none)
///   blob result_digest      (empty = none)
///   text txid               (empty = none)
///   u16  detail count, then per detail: text key, text value; keys strictly ascending
/// text = u16 length ‖ UTF-8 bytes, blob = u16 length ‖ bytes
/// </code>
/// Limits keep a record small and a decoder safe: text ≤ 1024 bytes, blob ≤ 64 bytes,
/// ≤ 32 details whose keys are 1..64 printable ASCII characters.
/// </summary>
public static class AuditRecordEncoding
{
    public const byte Version = 1;
    public const int MaxText = 1024;
    public const int MaxBlob = 64;
    public const int MaxDetails = 32;
    public const int MaxDetailKey = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // Explicit codes, so reordering PolicyOutcome can never change what old records mean.
    private static readonly (PolicyOutcome Outcome, byte Code)[] DecisionCodes =
    [
        (PolicyOutcome.Allow, 1),
        (PolicyOutcome.Deny, 2),
        (PolicyOutcome.NeedsApproval, 3),
        (PolicyOutcome.Frozen, 4),
        (PolicyOutcome.Failed, 5),
    ];

    public static byte[] Encode(AuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var w = new ArrayBufferWriter<byte>(256);
        WriteByte(w, Version);
        BinaryPrimitives.WriteUInt64BigEndian(w.GetSpan(8), (ulong)record.Sequence);
        w.Advance(8);
        BinaryPrimitives.WriteInt64BigEndian(w.GetSpan(8), (record.Time - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond);
        w.Advance(8);
        WriteText(w, "principal", Required("principal", record.Principal));
        WriteText(w, "action", Required("action", record.Action));
        WriteText(w, "wallet_id", record.WalletId);
        WriteText(w, "chain", record.Chain);
        WriteBlob(w, "request_digest", record.RequestDigest.Span);
        WriteByte(w, DecisionCode(record.Decision));
        WriteText(w, "rule", record.Rule);
        WriteBlob(w, "result_digest", record.ResultDigest.Span);
        WriteText(w, "txid", record.TxId);
        if (record.Details.Count > MaxDetails)
            throw new InvalidInputException("details", $"at most {MaxDetails} details");
        BinaryPrimitives.WriteUInt16BigEndian(w.GetSpan(2), (ushort)record.Details.Count);
        w.Advance(2);
        foreach (var (key, value) in record.Details.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            CheckDetailKey(key);
            WriteText(w, "details." + key, key);
            WriteText(w, "details." + key, value);
        }
        return w.WrittenSpan.ToArray();
    }

    /// <summary>Decodes one record; anything but the canonical encoding is an <see cref="InvalidInputException"/>.</summary>
    public static AuditRecord Decode(ReadOnlySpan<byte> data)
    {
        var r = new Reader(data);
        var version = r.Byte("version");
        if (version != Version) throw Bad("version", $"unknown record version {version}");
        var sequence = r.UInt64("sequence");
        if (sequence > long.MaxValue) throw Bad("sequence", "out of range");
        var micros = r.Int64("time");
        if (micros < MinMicros || micros > MaxMicros) throw Bad("time", "out of range");
        var principal = r.Text("principal");
        var action = r.Text("action");
        if (principal.Length == 0) throw Bad("principal", "empty");
        if (action.Length == 0) throw Bad("action", "empty");
        var walletId = r.Text("wallet_id");
        var chain = r.Text("chain");
        var requestDigest = r.Blob("request_digest");
        var decision = DecisionFromCode(r.Byte("decision"));
        var rule = r.Text("rule");
        var resultDigest = r.Blob("result_digest");
        var txId = r.Text("txid");
        var count = r.UInt16("details");
        if (count > MaxDetails) throw Bad("details", $"at most {MaxDetails} details");
        var details = new Dictionary<string, string>(count, StringComparer.Ordinal);
        string? previous = null;
        for (var i = 0; i < count; i++)
        {
            var key = r.Text("details");
            CheckDetailKey(key);
            if (previous is not null && string.CompareOrdinal(previous, key) >= 0)
                throw Bad("details", "keys are not strictly ascending");
            details[key] = r.Text("details." + key);
            previous = key;
        }
        if (!r.AtEnd) throw Bad("audit_record", "trailing bytes after the record");
        return new AuditRecord
        {
            Sequence = (long)sequence,
            Time = DateTimeOffset.UnixEpoch.AddTicks(micros * TimeSpan.TicksPerMicrosecond),
            Principal = principal,
            Action = action,
            WalletId = walletId,
            Chain = chain,
            RequestDigest = requestDigest,
            Decision = decision,
            Rule = rule,
            ResultDigest = resultDigest,
            TxId = txId,
            Details = details,
        };
    }

    private static readonly long MinMicros = (DateTimeOffset.MinValue - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;
    private static readonly long MaxMicros = (DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks / TimeSpan.TicksPerMicrosecond;

    private static string Required(string field, string? value) =>
        string.IsNullOrEmpty(value) ? throw new InvalidInputException(field, "required") : value;

    private static byte DecisionCode(PolicyOutcome? decision)
    {
        if (decision is null) return 0;
        foreach (var (outcome, code) in DecisionCodes)
            if (outcome == decision) return code;
        throw new InvalidInputException("decision", $"no audit code for {decision}");
    }

    private static PolicyOutcome? DecisionFromCode(byte code)
    {
        if (code == 0) return null;
        foreach (var (outcome, c) in DecisionCodes)
            if (c == code) return outcome;
        throw Bad("decision", $"unknown decision code {code}");
    }

    private static void CheckDetailKey(string key)
    {
        if (key.Length is 0 or > MaxDetailKey || key.Any(c => c is < '!' or > '~'))
            throw new InvalidInputException("details", $"a detail key is 1..{MaxDetailKey} printable ASCII characters");
    }

    private static void WriteByte(ArrayBufferWriter<byte> w, byte value)
    {
        w.GetSpan(1)[0] = value;
        w.Advance(1);
    }

    private static void WriteText(ArrayBufferWriter<byte> w, string field, string? value)
    {
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(value ?? "");
        }
        catch (EncoderFallbackException e)
        {
            throw new InvalidInputException(field, "not valid Unicode text", e);
        }
        if (bytes.Length > MaxText) throw new InvalidInputException(field, $"longer than {MaxText} bytes");
        WriteBlobUnchecked(w, bytes);
    }

    private static void WriteBlob(ArrayBufferWriter<byte> w, string field, ReadOnlySpan<byte> value)
    {
        if (value.Length > MaxBlob) throw new InvalidInputException(field, $"longer than {MaxBlob} bytes");
        WriteBlobUnchecked(w, value);
    }

    private static void WriteBlobUnchecked(ArrayBufferWriter<byte> w, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(w.GetSpan(2), (ushort)value.Length);
        w.Advance(2);
        w.Write(value);
    }

    private static InvalidInputException Bad(string field, string message) => new("audit_record." + field, message);

    /// <summary>Reads fields off the front, checking each length against what remains.</summary>
    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private ReadOnlySpan<byte> _rest = data;

        public readonly bool AtEnd => _rest.IsEmpty;

        public byte Byte(string field) => Take(field, 1)[0];

        public ushort UInt16(string field) => BinaryPrimitives.ReadUInt16BigEndian(Take(field, 2));

        public ulong UInt64(string field) => BinaryPrimitives.ReadUInt64BigEndian(Take(field, 8));

        public long Int64(string field) => BinaryPrimitives.ReadInt64BigEndian(Take(field, 8));

        public string Text(string field)
        {
            var length = UInt16(field);
            if (length > MaxText) throw Bad(field, $"longer than {MaxText} bytes");
            var bytes = Take(field, length);
            try
            {
                return StrictUtf8.GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Bad(field, "not valid UTF-8");
            }
        }

        public byte[] Blob(string field)
        {
            var length = UInt16(field);
            if (length > MaxBlob) throw Bad(field, $"longer than {MaxBlob} bytes");
            return Take(field, length).ToArray();
        }

        private ReadOnlySpan<byte> Take(string field, int count)
        {
            if (_rest.Length < count) throw Bad(field, "truncated");
            var taken = _rest[..count];
            _rest = _rest[count..];
            return taken;
        }
    }
}
