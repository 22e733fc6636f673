using Grpc.Core;

namespace Custody.Daemon.Errors;

/// <summary>
/// A refusal the client should see: a status code, a machine-readable reason
/// (google.rpc.ErrorInfo.reason) and metadata naming what was refused. The message is
/// for people and never carries secrets.
/// </summary>
public sealed class ApiException : Exception
{
    public ApiException(StatusCode code, string reason, string message, IReadOnlyDictionary<string, string>? metadata = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Metadata = metadata ?? new Dictionary<string, string>();
    }

    public StatusCode Code { get; }

    public string Reason { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static ApiException Unauthenticated(string why) => new(StatusCode.Unauthenticated, "UNAUTHENTICATED", why);

    public static ApiException RoleRequired(string roles) =>
        new(StatusCode.PermissionDenied, "ROLE_REQUIRED", $"this call needs the role {roles}", new Dictionary<string, string> { ["role"] = roles });

    public static ApiException NotInScope(string walletId) =>
        new(StatusCode.PermissionDenied, "WALLET_NOT_IN_SCOPE", "this token may not use the wallet", new Dictionary<string, string> { ["wallet_id"] = walletId });

    /// <summary>A wallet-scoped token reached an object of a wallet outside its scope, named by another key: the refusal does not say which wallet.</summary>
    public static ApiException NotInScope(string resource, string id) =>
        new(StatusCode.PermissionDenied, "WALLET_NOT_IN_SCOPE", $"this token may not use the wallet of this {resource}",
            new Dictionary<string, string> { ["resource"] = resource, ["id"] = id });

    /// <summary>A wallet-scoped token reached a global object: the global policy or freeze, approvers, wallet creation, the whole log.</summary>
    public static ApiException GlobalScope() =>
        new(StatusCode.PermissionDenied, "WALLET_NOT_IN_SCOPE", "this call reaches beyond single wallets: it needs a token not scoped to wallets",
            new Dictionary<string, string> { ["wallet_id"] = "(global)" });

    /// <summary>A request field that names the caller names someone else.</summary>
    public static ApiException PrincipalMismatch(string field, string named, string principal) =>
        new(StatusCode.PermissionDenied, "PRINCIPAL_MISMATCH", $"{field} '{named}' is not this token's principal '{principal}': a caller acts only for itself",
            new Dictionary<string, string> { ["field"] = field, [field] = named, ["principal"] = principal });

    public static ApiException NotFound(string resource, string id) =>
        new(StatusCode.NotFound, "NOT_FOUND", $"no {resource} '{id}'", new Dictionary<string, string> { ["resource"] = resource, ["id"] = id });

    public static ApiException RequestIdReused(string requestId) =>
        new(StatusCode.AlreadyExists, "REQUEST_ID_REUSED", "this request id was already used for a different request",
            new Dictionary<string, string> { ["request_id"] = requestId });

    public static ApiException Overloaded() =>
        new(StatusCode.ResourceExhausted, "OVERLOADED", "all signing slots are busy; retry with backoff");

    public static ApiException RateLimited(string principal) =>
        new(StatusCode.ResourceExhausted, "RATE_LIMITED", "rate limit exceeded; retry with backoff",
            new Dictionary<string, string> { ["principal"] = principal });

    public static ApiException ShuttingDown() =>
        new(StatusCode.Unavailable, "SHUTTING_DOWN", "the daemon is stopping; retry");

    public static ApiException WrongCurve(string walletId, string chain) =>
        new(StatusCode.FailedPrecondition, "WRONG_CURVE", $"the key of wallet {walletId} cannot sign for {chain}",
            new Dictionary<string, string> { ["wallet_id"] = walletId, ["chain"] = chain });
}
