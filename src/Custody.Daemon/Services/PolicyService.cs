using Custody.Core;
using Custody.Core.Policy;
using Custody.Daemon.Auth;
using Custody.Daemon.Errors;
using Custody.Daemon.Signing;
using Custody.Core.Ledger;
using Custody.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace Custody.Daemon.Services;

/// <summary>Thin: maps requests to the policy engine's administration and the pipeline's dry run.</summary>
public sealed class PolicyService(ILedger ledger, SigningPipeline pipeline) : V1.PolicyService.PolicyServiceBase
{
    public override async Task<PolicyVersion> GetPolicy(GetPolicyRequest request, ServerCallContext context)
    {
        var scope = Scope(request.WalletId);
        var current = await ledger.Policy.GetAsync(scope, context.CancellationToken).ConfigureAwait(false);
        return new PolicyVersion { WalletId = request.WalletId, Version = (ulong)(current?.Version ?? 0), Document = current?.Document ?? "" };
    }

    public override async Task<SetPolicyResponse> SetPolicy(SetPolicyRequest request, ServerCallContext context)
    {
        var caller = Caller.Of(context);
        var published = await ledger.Policy.PublishAsync(Scope(request.WalletId), request.Document, caller.Principal,
            request.Reason, context.CancellationToken).ConfigureAwait(false);
        return new SetPolicyResponse { Version = (ulong)published.Version, Changed = published.Changed, Diff = published.Diff, Document = published.CanonicalDocument };
    }

    public override async Task<DryRunResponse> DryRun(DryRunRequest request, ServerCallContext context)
    {
        var (decision, intent) = await pipeline.DryRunAsync(Caller.Of(context), request, context.CancellationToken).ConfigureAwait(false);
        return new DryRunResponse
        {
            Outcome = decision.Outcome.ToString(),
            Rule = decision.Rule,
            Reason = decision.Reason,
            PolicyVersion = (ulong)decision.PolicyVersion,
            ApprovalsRequired = (uint)decision.ApprovalsRequired,
            Intent = ProtoMapping.ToProto(intent, request.Account),
        };
    }

    public override async Task<V1.FreezeState> Freeze(FreezeRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Reason)) throw new InvalidInputException("reason", "say why, for the audit log and whoever unfreezes");
        var state = await ledger.Policy.FreezeAsync(Scope(request.WalletId), Caller.Of(context).Principal, request.Reason.Trim(),
            context.CancellationToken).ConfigureAwait(false);
        return ToProto(request.WalletId, state);
    }

    public override async Task<UnfreezeResponse> Unfreeze(UnfreezeRequest request, ServerCallContext context)
    {
        var caller = Caller.Of(context);
        var was = await ledger.Policy.UnfreezeAsync(Scope(request.WalletId), caller.Principal, context.CancellationToken).ConfigureAwait(false);
        return new UnfreezeResponse { WasFrozen = was };
    }

    public override async Task<V1.FreezeState> GetFreeze(GetFreezeRequest request, ServerCallContext context) =>
        ToProto(request.WalletId, await ledger.Policy.GetFreezeAsync(Scope(request.WalletId), context.CancellationToken).ConfigureAwait(false));

    public override async Task<RegisterApproverResponse> RegisterApprover(RegisterApproverRequest request, ServerCallContext context)
    {
        var algorithm = request.Algorithm switch
        {
            V1.ApproverKeyAlgorithm.Ed25519 => Core.Policy.ApproverKeyAlgorithm.Ed25519,
            V1.ApproverKeyAlgorithm.P256 => Core.Policy.ApproverKeyAlgorithm.P256,
            V1.ApproverKeyAlgorithm.PasskeyEs256 => Core.Policy.ApproverKeyAlgorithm.PasskeyEs256,
            V1.ApproverKeyAlgorithm.PasskeyEddsa => Core.Policy.ApproverKeyAlgorithm.PasskeyEdDsa,
            _ => throw new InvalidInputException("algorithm", "choose ED25519, P256, PASSKEY_ES256 or PASSKEY_EDDSA (APPROVER_KEY_ALGORITHM_...)"),
        };
        if (string.IsNullOrWhiteSpace(request.ApproverId)) throw new InvalidInputException("approver_id", "empty");
        var key = ApproverKey.Create(request.ApproverId, algorithm, request.PublicKey.Span, request.CredentialId.Span);
        var caller = Caller.Of(context);
        await ledger.Policy.RegisterApproverAsync(key, caller.Principal, context.CancellationToken).ConfigureAwait(false);
        return new RegisterApproverResponse { Fingerprint = key.Fingerprint };
    }

    public override async Task<RevokeApproverResponse> RevokeApprover(RevokeApproverRequest request, ServerCallContext context)
    {
        var caller = Caller.Of(context);
        return new RevokeApproverResponse
        {
            Revoked = await ledger.Policy.RevokeApproverAsync(request.ApproverId, caller.Principal, context.CancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>A wallet, or the global scope when none is named (the interceptor let only unscoped tokens name it).</summary>
    private static PolicyScope Scope(string walletId) => walletId.Length > 0 ? PolicyScope.Wallet(walletId) : PolicyScope.Global;

    private static V1.FreezeState ToProto(string walletId, Core.Policy.FreezeState? state) => state is null
        ? new V1.FreezeState { WalletId = walletId, Frozen = false }
        : new V1.FreezeState
        {
            WalletId = walletId,
            Frozen = true,
            FrozenBy = state.FrozenBy,
            FrozenAt = Timestamp.FromDateTimeOffset(state.FrozenAt),
            Reason = state.Reason,
        };
}
