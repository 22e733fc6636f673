using System.Globalization;
using Custody.Core;
using Custody.Core.Audit.Notes;
using Custody.Daemon.Auth;
using Custody.Storage.Audit;
using Custody.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Custody.Daemon.Services;

/// <summary>Reads and verifies the audit log through the audit storage's reader; thin.</summary>
public sealed class AuditService(AuditLogReader reader, NoteVerifierKey verifierKey) : V1.AuditService.AuditServiceBase
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    public override Task<ListAuditRecordsResponse> ListRecords(ListAuditRecordsRequest request, ServerCallContext context)
    {
        if (request.Limit is < 0 or > MaxLimit) throw new InvalidInputException("limit", $"0 to {MaxLimit}");
        if (request.FromSequence > long.MaxValue) throw new InvalidInputException("from_sequence", "too large");
        var limit = request.Limit == 0 ? DefaultLimit : request.Limit;
        var records = reader.Query(new AuditQuery
        {
            FromSequence = (long)request.FromSequence,
            Limit = limit + 1,
            Principal = NullIfEmpty(request.Principal),
            WalletId = NullIfEmpty(request.WalletId),
            Action = NullIfEmpty(request.Action),
        }).ToList();
        var response = new ListAuditRecordsResponse();
        foreach (var record in records.Take(limit)) response.Records.Add(ToProto(record));
        if (records.Count > limit) response.NextSequence = (ulong)records[limit].Sequence;
        return Task.FromResult(response);
    }

    public override Task<VerifyAuditResponse> Verify(VerifyAuditRequest request, ServerCallContext context)
    {
        var verdict = reader.Verify(verifierKey);
        return Task.FromResult(new VerifyAuditResponse
        {
            Intact = verdict.IsIntact,
            RecordCount = (ulong)verdict.RecordCount,
            CheckpointCount = (uint)verdict.CheckpointCount,
            SignedSize = (ulong)verdict.SignedSize,
            Failure = verdict.Failure?.ToString() ?? "",
            LatestCheckpoint = reader.LatestCheckpoint()?.Note ?? "",
            VerifierKey = verifierKey.ToString(),
        });
    }

    public override Task<InclusionProofResponse> GetInclusionProof(GetInclusionProofRequest request, ServerCallContext context)
    {
        if (request.Sequence > long.MaxValue) throw new InvalidInputException("sequence", "too large");
        var checkpoint = request.HasCheckpointIndex
            ? reader.GetCheckpoint(checked((long)request.CheckpointIndex))
            : reader.LatestCheckpoint() ?? throw new InvalidInputException("sequence", "no checkpoint has been signed yet; retry shortly");
        var sequence = (long)request.Sequence;
        if (sequence >= checkpoint.Checkpoint.Size)
            throw new InvalidInputException("sequence", $"record {sequence} is not covered yet by checkpoint {checkpoint.Index} (size {checkpoint.Checkpoint.Size}); retry after the next checkpoint");
        var record = reader.Get(sequence) ?? throw new InvalidInputException("sequence", $"no record {sequence}");
        var proof = reader.GetInclusionProof(sequence, checkpoint.Index);
        var response = new InclusionProofResponse
        {
            Sequence = request.Sequence,
            RecordData = ByteString.CopyFrom(Core.Audit.AuditRecordEncoding.Encode(record)),
            TreeSize = (ulong)proof.TreeSize,
            CheckpointIndex = (ulong)checkpoint.Index,
            Checkpoint = checkpoint.Note,
        };
        foreach (var hash in proof.Path) response.Path.Add(ByteString.CopyFrom(hash));
        return Task.FromResult(response);
    }

    public override Task<ConsistencyProofResponse> GetConsistencyProof(GetConsistencyProofRequest request, ServerCallContext context)
    {
        if (request.FromCheckpoint > long.MaxValue || request.ToCheckpoint > long.MaxValue) throw new InvalidInputException("checkpoint", "too large");
        var from = reader.GetCheckpoint((long)request.FromCheckpoint);
        var to = reader.GetCheckpoint((long)request.ToCheckpoint);
        var proof = reader.GetConsistencyProof(from.Index, to.Index);
        var response = new ConsistencyProofResponse
        {
            FromSize = (ulong)proof.Size1,
            ToSize = (ulong)proof.Size2,
            FromCheckpointNote = from.Note,
            ToCheckpointNote = to.Note,
        };
        foreach (var hash in proof.Path) response.Path.Add(ByteString.CopyFrom(hash));
        return Task.FromResult(response);
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
