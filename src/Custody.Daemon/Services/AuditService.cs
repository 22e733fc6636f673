using System.Globalization;
using Custody.Core;
using Custody.Core.Audit;
using Custody.Core.Audit.Notes;
using Custody.Core.Ledger;
using Custody.Daemon.Auth;
using Custody.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Custody.Daemon.Services;

/// <summary>Reads and verifies the audit log inside the ledger; thin.</summary>
public sealed class AuditService(ILedger ledger, NoteVerifierKey verifierKey) : V1.AuditService.AuditServiceBase
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    public override async Task<ListAuditRecordsResponse> ListRecords(ListAuditRecordsRequest request, ServerCallContext context)
    {
        if (request.Limit is < 0 or > MaxLimit) throw new InvalidInputException("limit", $"0 to {MaxLimit}");
        if (request.FromSequence > long.MaxValue) throw new InvalidInputException("from_sequence", "too large");
        var limit = request.Limit == 0 ? DefaultLimit : request.Limit;
        var records = await ledger.Audit.QueryAsync(new AuditQuery
        {
            FromSequence = (long)request.FromSequence,
            Limit = limit + 1,
            Principal = NullIfEmpty(request.Principal),
            WalletId = NullIfEmpty(request.WalletId),
            Action = NullIfEmpty(request.Action),
        }, context.CancellationToken).ConfigureAwait(false);
        var response = new ListAuditRecordsResponse();
        foreach (var record in records.Take(limit)) response.Records.Add(ToProto(record));
        if (records.Count > limit) response.NextSequence = (ulong)records[limit].Sequence;
        return response;
    }

    public override async Task<VerifyAuditResponse> Verify(VerifyAuditRequest request, ServerCallContext context)
    {
        // The daemon holds the audit key: cover what is committed now, then check the whole log against it.
        await ledger.Audit.CheckpointAsync().ConfigureAwait(false);
        var verdict = await ledger.Audit.VerifyAsync(verifierKey, null, context.CancellationToken).ConfigureAwait(false);
        var latest = await ledger.Audit.LatestCheckpointAsync(context.CancellationToken).ConfigureAwait(false);
        return new VerifyAuditResponse
        {
            Intact = verdict.IsVerified(request.AllowUnsignedTail),
            RecordCount = (ulong)verdict.RecordCount,
            CheckpointCount = (uint)verdict.CheckpointCount,
            SignedSize = (ulong)verdict.SignedSize,
            UnsignedRecords = (ulong)verdict.UnsignedRecords,
            Failure = verdict.Failure?.ToString() ?? (verdict.IsVerified(request.AllowUnsignedTail) ? "" : verdict.ToString()),
            LatestCheckpoint = latest?.Note ?? "",
            VerifierKey = verifierKey.ToString(),
        };
    }

    public override async Task<InclusionProofResponse> GetInclusionProof(GetInclusionProofRequest request, ServerCallContext context)
    {
        if (request.Sequence > long.MaxValue) throw new InvalidInputException("sequence", "too large");
        var (checkpoint, proof, data) = await ledger.Audit.InclusionProofAsync((long)request.Sequence,
            request.HasCheckpointIndex ? checked((long)request.CheckpointIndex) : null, context.CancellationToken).ConfigureAwait(false);
        var response = new InclusionProofResponse
        {
            Sequence = request.Sequence,
            RecordData = ByteString.CopyFrom(data),
            TreeSize = (ulong)proof.TreeSize,
            CheckpointIndex = (ulong)checkpoint.Index,
            Checkpoint = checkpoint.Note,
        };
        foreach (var hash in proof.Path) response.Path.Add(ByteString.CopyFrom(hash));
        return response;
    }

    public override async Task<ConsistencyProofResponse> GetConsistencyProof(GetConsistencyProofRequest request, ServerCallContext context)
    {
        if (request.FromCheckpoint > long.MaxValue || request.ToCheckpoint > long.MaxValue) throw new InvalidInputException("checkpoint", "too large");
        var (from, to, proof) = await ledger.Audit.ConsistencyProofAsync((long)request.FromCheckpoint, (long)request.ToCheckpoint, context.CancellationToken)
            .ConfigureAwait(false);
        var response = new ConsistencyProofResponse
        {
            FromSize = (ulong)proof.Size1,
            ToSize = (ulong)proof.Size2,
            FromCheckpointNote = from.Note,
            ToCheckpointNote = to.Note,
        };
        foreach (var hash in proof.Path) response.Path.Add(ByteString.CopyFrom(hash));
        return response;
    }

    private static V1.AuditRecord ToProto(Core.Audit.AuditRecord record)
    {
        var proto = new V1.AuditRecord
        {
            Sequence = (ulong)record.Sequence,
            Time = Timestamp.FromDateTimeOffset(record.Time),
            Principal = record.Principal,
            Action = record.Action,
            WalletId = record.WalletId ?? "",
            Chain = record.Chain ?? "",
            RequestDigest = Convert.ToHexStringLower(record.RequestDigest.Span),
            Decision = record.Decision?.ToString() ?? "",
            Rule = record.Rule ?? "",
            ResultDigest = Convert.ToHexStringLower(record.ResultDigest.Span),
            TxId = record.TxId ?? "",
        };
        foreach (var (key, value) in record.Details) proto.Details[key] = value;
        return proto;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"AuditService({verifierKey.Name})");
}
