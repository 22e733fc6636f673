using Custody.Core.Policy;
using Custody.Core.Ledger;
using Custody.V1;
using Google.Protobuf.WellKnownTypes;

namespace Custody.Daemon.Services;

/// <summary>A parked request as approvers see it, with the exact statements they sign.</summary>
public static class ApprovalMapping
{
    public static ParkedRequest ToProto(PendingApproval pending)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var proto = new ParkedRequest
        {
            RequestDigest = pending.RequestDigest,
            RequestId = pending.RequestId,
            Principal = pending.Principal,
            WalletId = pending.WalletId,
            Chain = pending.Chain,
            PayloadDigest = pending.PayloadDigest,
            IntentDigest = pending.IntentDigest,
            PolicyVersion = (ulong)pending.PolicyVersion,
            ExpiresAt = Timestamp.FromDateTimeOffset(pending.ExpiresAt),
            ApprovalsRequired = (uint)pending.Required,
            State = pending.State.ToString(),
            RejectedBy = pending.RejectedBy ?? "",
            ApproveStatement = pending.Statement(ApprovalVerdict.Approve).ToString(),
            RejectStatement = pending.Statement(ApprovalVerdict.Reject).ToString(),
        };
        if (pending.Intent is not null) proto.Intent = ProtoMapping.ToProto(pending.Intent);
        return proto;
    }
}
