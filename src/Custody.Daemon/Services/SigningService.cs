using Custody.Daemon.Auth;
using Custody.Daemon.Signing;
using Custody.V1;
using Grpc.Core;

namespace Custody.Daemon.Services;

/// <summary>Thin: hands the request and the caller to the pipeline; marks replies served from the idempotency store.</summary>
public sealed class SigningService(SigningPipeline pipeline) : V1.SigningService.SigningServiceBase
{
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
}
