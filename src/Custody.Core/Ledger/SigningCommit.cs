using Custody.Core.Audit;
using Custody.Core.Policy;

namespace Custody.Core.Ledger;

/// <summary>
/// What the signing path hands the ledger once it is done with the HSM: the request (with the
/// intent as signed), the record to append (the ledger fills in decision, rule, sequence and
/// time), and either the signature made or the refusal/failure to record instead.
/// </summary>
/// <param name="Fingerprint">SHA-256 of the API request: the same request id with another request is refused.</param>
/// <param name="Record">The record of this request; the ledger sets Decision and Rule (and adds the reason).</param>
/// <param name="Signed">The signature made, or null when none was.</param>
/// <param name="Unsigned">Without a signature: the decision to record (a refusal, or <see cref="PolicyOutcome.Failed"/> when the HSM failed).</param>
public sealed record SigningCommit(SigningRequest Request, byte[] Fingerprint, AuditRecord Record, SignedResult? Signed, PolicyDecision? Unsigned)
{
    public static SigningCommit Signature(SigningRequest request, byte[] fingerprint, AuditRecord record, SignedResult signed) =>
        new(request, fingerprint, record, signed ?? throw new ArgumentNullException(nameof(signed)), null);

    public static SigningCommit Refusal(SigningRequest request, byte[] fingerprint, AuditRecord record, PolicyDecision decision) =>
        new(request, fingerprint, record, null, decision is { IsAllowed: false } ? decision : throw new ArgumentException("not a refusal", nameof(decision)));
}

/// <summary>A signature made and verified, not yet released.</summary>
/// <param name="TxId">The transaction id (empty for a message).</param>
/// <param name="ResultDigest">SHA-256 of the signed result, for the record.</param>
/// <param name="Reply">The reply to store and give, built once the record's receipt and the final decision are known.</param>
public sealed record SignedResult(string TxId, byte[] ResultDigest, Func<AuditReceipt, PolicyDecision, byte[]> Reply);

public enum SigningOutcomeKind
{
    /// <summary>Committed: reserved, recorded, reply stored. The signature may leave.</summary>
    Signed,

    /// <summary>Recorded as refused (or failed); nothing may leave. Parked when the decision needs approvals.</summary>
    Refused,

    /// <summary>A reply was already stored under the request id for the same request: give that one.</summary>
    Replayed,

    /// <summary>The request id was used for another request.</summary>
    RequestIdReused,
}

/// <param name="Decision">The final decision (Signed, Refused).</param>
/// <param name="Receipt">The request's record (Signed, Refused).</param>
/// <param name="Reply">The stored reply (Signed, Replayed).</param>
/// <param name="Parked">The parked request, when the refusal needs approvals.</param>
public sealed record SigningOutcome(SigningOutcomeKind Kind, PolicyDecision? Decision, AuditReceipt? Receipt, byte[]? Reply, PendingApproval? Parked);
