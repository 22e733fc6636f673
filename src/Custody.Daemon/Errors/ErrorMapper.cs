using Custody.Core;
using Custody.Core.Ledger;
using Custody.Hsm;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Custody.Daemon.Errors;

/// <summary>
/// The one place that turns an exception into what the client sees: a status code, a
/// google.rpc.ErrorInfo (domain "custody.v1") and, for bad input, a BadRequest naming the
/// field. Anything unexpected becomes INTERNAL with an error id that matches the log;
/// no exception text or stack trace reaches the client.
/// </summary>
public sealed class ErrorMapper(ILogger<ErrorMapper> logger)
{
    public const string Domain = "custody.v1";

    public RpcException ToRpcException(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case RpcException rpc:
                return rpc;
            case ApiException api:
                return Build(api.Code, api.Reason, api.Message, api.Metadata);
            case InvalidInputException invalid:
                return Build(StatusCode.InvalidArgument, "INVALID_ARGUMENT", invalid.Message,
                    new Dictionary<string, string> { ["field"] = invalid.Field },
                    new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = invalid.Field, Description = invalid.Reason } } });
            // A client that resets its stream surfaces as an IOException from the request body;
            // the call is over on the client's side, not failed on ours.
            case IOException when context.CancellationToken.IsCancellationRequested:
                return ClientReset();
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return context.Deadline <= DateTime.UtcNow
                    ? Build(StatusCode.DeadlineExceeded, "DEADLINE_EXCEEDED", "the deadline passed before the call finished")
                    : Build(StatusCode.Cancelled, "CANCELLED", "the call was cancelled");
            case UnauthorizedAccessException denied:
                return Build(StatusCode.PermissionDenied, "ROLE_REQUIRED", denied.Message);
            case HsmUnavailableException:
                Log.HsmUnavailable(logger, context.Method, exception.Message);
                return Build(StatusCode.Unavailable, "HSM_UNAVAILABLE", "the HSM is not available; retry later");
            case LedgerUnavailableException storage:
                Log.StorageUnavailable(logger, context.Method, storage.Fault.ToString(), storage.InnerException?.Message ?? storage.Message);
                return Build(StatusCode.Unavailable, StorageReason(storage.Fault), storage.Message);
            default:
                var errorId = Guid.NewGuid().ToString("N")[..12];
                Log.InternalError(logger, context.Method, errorId, exception);
                return Build(StatusCode.Internal, "INTERNAL", $"internal error {errorId}",
                    new Dictionary<string, string> { ["error_id"] = errorId });
        }
    }

    public static string StorageReason(LedgerFault fault) => fault switch
    {
        LedgerFault.Full => "STORAGE_FULL",
        LedgerFault.ReadOnly => "STORAGE_READ_ONLY",
        _ => "STORAGE_UNAVAILABLE",
    };

    /// <summary>The client reset the call: CANCELLED, and nothing to log.</summary>
    public static RpcException ClientReset() => Build(StatusCode.Cancelled, "CANCELLED", "the client reset the call");

    private static RpcException Build(StatusCode code, string reason, string message,
        IReadOnlyDictionary<string, string>? metadata = null, BadRequest? badRequest = null) =>
        Status(code, reason, message, metadata, badRequest).ToRpcException();

    /// <summary>Bad input found before a call reaches the services (an HTTP/JSON body or query): the status INVALID_ARGUMENT carries.</summary>
    public static Google.Rpc.Status InvalidArgument(string field, string reason) =>
        Status(StatusCode.InvalidArgument, "INVALID_ARGUMENT", $"{field}: {reason}", new Dictionary<string, string> { ["field"] = field },
            new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = reason } } });

    private static Google.Rpc.Status Status(StatusCode code, string reason, string message,
        IReadOnlyDictionary<string, string>? metadata, BadRequest? badRequest)
    {
        var info = new ErrorInfo { Reason = reason, Domain = Domain };
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata) info.Metadata[key] = value;
        }
        var status = new Google.Rpc.Status { Code = (int)code, Message = message, Details = { Any.Pack(info) } };
        if (badRequest is not null) status.Details.Add(Any.Pack(badRequest));
        return status;
    }
}
