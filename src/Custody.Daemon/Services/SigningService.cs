using Custody.Core;
using Custody.Core.Policy;
using Custody.Core.WebAuthn;
using Custody.Daemon.Auth;
using Custody.Daemon.Errors;
using Custody.Core.Ledger;
using Custody.Daemon.Signing;
using Custody.V1;
using Grpc.Core;

namespace Custody.Daemon.Services;

/// <summary>Thin: hands the request and the caller to the pipeline; marks replies served from the idempotency store.</summary>
public sealed class SigningService(SigningPipeline pipeline, ILedger ledger) : V1.SigningService.SigningServiceBase
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;
    private const int MaxCombined = 16;

    public const string ReplayedHeader = "custody-replayed";

    public override async Task<SignTransactionResponse> SignTransaction(SignTransactionRequest request, ServerCallContext context)
    {
        var outcome = await pipeline.SignTransactionAsync(Caller.Of(context), request, context.CancellationToken).ConfigureAwait(false);
        if (outcome.Replayed)
            await context.WriteResponseHeadersAsync(new Metadata { { ReplayedHeader, "true" } }).ConfigureAwait(false);
        return outcome.Reply;
    }

    public override async Task<SignMessageResponse> SignMessage(SignMessageRequest request, ServerCallContext context)
    {
        var outcome = await pipeline.SignMessageAsync(Caller.Of(context), request, context.CancellationToken).ConfigureAwait(false);
        if (outcome.Replayed)
            await context.WriteResponseHeadersAsync(new Metadata { { ReplayedHeader, "true" } }).ConfigureAwait(false);
        return outcome.Reply;
    }

    public override async Task<ParkedRequest> GetRequest(GetRequestRequest request, ServerCallContext context)
    {
        var caller = Caller.Of(context);
        var pending = await ledger.Policy.GetPendingAsync(Digest(request.RequestDigest), context.CancellationToken).ConfigureAwait(false)
            ?? throw ApiException.NotFound("parked request", request.RequestDigest);
        // A signer sees its own requests; approvers and admins see every request of their wallets.
        if ((caller.Roles & (Roles.Approver | Roles.Admin)) == Roles.None && pending.Principal != caller.Principal)
            throw ApiException.NotFound("parked request", request.RequestDigest);
        return ApprovalMapping.ToProto(pending);
    }

    public override async Task<ListParkedRequestsResponse> ListParkedRequests(ListParkedRequestsRequest request, ServerCallContext context)
    {
        if (request.Limit is < 0 or > MaxLimit) throw new InvalidInputException("limit", $"0 to {MaxLimit}");
        var waiting = await ledger.Policy.ListPendingAsync(request.WalletId.Length == 0 ? null : request.WalletId,
            request.Limit == 0 ? DefaultLimit : request.Limit, context.CancellationToken).ConfigureAwait(false);
        return new ListParkedRequestsResponse { Requests = { waiting.Select(ApprovalMapping.ToProto) } };
    }

    public override Task<SubmitVerdictResponse> ApproveRequest(SubmitVerdictRequest request, ServerCallContext context) =>
        SubmitAsync(request, ApprovalVerdict.Approve, context);

    public override Task<SubmitVerdictResponse> RejectRequest(SubmitVerdictRequest request, ServerCallContext context) =>
        SubmitAsync(request, ApprovalVerdict.Reject, context);

    private async Task<SubmitVerdictResponse> SubmitAsync(SubmitVerdictRequest request, ApprovalVerdict verdict, ServerCallContext context)
    {
        var digest = Digest(request.RequestDigest);
        var proof = Proof(request);
        if (await ledger.Policy.GetPendingAsync(digest, context.CancellationToken).ConfigureAwait(false) is null)
            throw ApiException.NotFound("parked request", request.RequestDigest);
        // The approver is the caller: the interceptor refused an approver_id naming anyone else.
        var principal = Caller.Of(context).Principal;
        var result = await ledger.Policy.SubmitVerdictAsync(digest, principal, verdict, proof, principal, context.CancellationToken).ConfigureAwait(false);
        return new SubmitVerdictResponse
        {
            Outcome = result.Outcome.ToString(),
            Reason = result.Reason,
            Approvals = (uint)result.Approvals,
            Required = (uint)result.Required,
            QuorumReached = result.QuorumReached,
        };
    }

    public override Task<CombinePsbtResponse> CombinePsbt(CombinePsbtRequest request, ServerCallContext context)
    {
        var chain = ProtoMapping.ToChain(request.Chain);
        var codec = chain.Codec() as Core.Chains.Bitcoin.PsbtCodec ?? throw new InvalidInputException("chain", $"{chain.Id} has no PSBTs: combining is for the Bitcoin family");
        if (request.Psbts.Count is < 2 or > MaxCombined) throw new InvalidInputException("psbts", $"2 to {MaxCombined} PSBTs of one transaction");
        var payloads = request.Psbts.Select((text, i) =>
        {
            try
            {
                return codec.ParsePayload(text);
            }
            catch (InvalidInputException e)
            {
                throw new InvalidInputException($"psbts[{i}]", e.Reason);
            }
        }).ToArray();
        var combined = codec.Combine(payloads);
        if (!request.Finalize) return Task.FromResult(new CombinePsbtResponse { Psbt = combined.ToBase64() });
        var (final, tx) = codec.FinalizeAndExtract(combined.ToBytes());
        return Task.FromResult(new CombinePsbtResponse { Psbt = final.ToBase64(), Transaction = tx.ToHex(), TxId = tx.TxId });
    }

    /// <summary>A raw signature or a passkey's assertion, exactly one; the assertion's structure is checked here (INVALID_ARGUMENT naming the part).</summary>
    private static ApprovalProof Proof(SubmitVerdictRequest request)
    {
        if (request.Passkey is not { } passkey)
            return request.Signature.IsEmpty
                ? throw new InvalidInputException("signature", "empty: sign the statement GetRequest gives, or send a passkey assertion")
                : ApprovalProof.RawSignature(request.Signature.ToByteArray());
        if (!request.Signature.IsEmpty) throw new InvalidInputException("signature", "set signature or passkey, not both (a passkey's signature is inside its assertion)");
        return ApprovalProof.FromPasskey(WebAuthnAssertion.Parse(passkey.AuthenticatorData.Span, passkey.ClientDataJson.Span, passkey.Signature.Span));
    }

    private static string Digest(string text) =>
        text.Length == 64 && text.All(char.IsAsciiHexDigit)
            ? text.ToLowerInvariant()
            : throw new InvalidInputException("request_digest", "64 hex digits, as APPROVAL_REQUIRED's metadata gives it");
}
