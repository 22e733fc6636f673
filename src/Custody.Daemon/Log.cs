using Microsoft.Extensions.Logging;

namespace Custody.Daemon;

/// <summary>
/// Every log event of the daemon, with a fixed id. Values are ids, principals, chains,
/// digests and reasons; never tokens, PINs, seeds, keys or payload bytes.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Warning, "Unauthenticated call to {Method} from {Peer}: {Reason}")]
    public static partial void Unauthenticated(ILogger logger, string method, string peer, string reason);

    [LoggerMessage(2, LogLevel.Warning, "Refused {Method} for {Principal}: {Reason}")]
    public static partial void Forbidden(ILogger logger, string method, string principal, string reason);

    [LoggerMessage(3, LogLevel.Error, "Internal error {ErrorId} in {Method}")]
    public static partial void InternalError(ILogger logger, string method, string errorId, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "HSM unavailable during {Method}: {Reason}")]
    public static partial void HsmUnavailable(ILogger logger, string method, string reason);

    [LoggerMessage(6, LogLevel.Warning, "Ledger storage unavailable during {Method} ({Fault}): {Reason}")]
    public static partial void StorageUnavailable(ILogger logger, string method, string fault, string reason);

    [LoggerMessage(5, LogLevel.Error, "Audit append of {Action} failed")]
    public static partial void AuditAppendFailed(ILogger logger, string action, Exception exception);

    [LoggerMessage(10, LogLevel.Information, "Listening on {Address}:{Port} (TLS {Tls}, client certificates {MutualTls})")]
    public static partial void Listening(ILogger logger, string address, int port, bool tls, bool mutualTls);

    [LoggerMessage(14, LogLevel.Information, "HTTP/JSON on {Address}:{Port} (HTTP/1.1, TLS {Tls}); OpenAPI at {OpenApiPath}")]
    public static partial void HttpListening(ILogger logger, string address, int port, bool tls, string openApiPath);

    [LoggerMessage(11, LogLevel.Information, "Metrics on http://127.0.0.1:{Port}/metrics")]
    public static partial void MetricsListening(ILogger logger, int port);

    [LoggerMessage(46, LogLevel.Information, "Operator console on {Address}:{Port} (TLS {Tls}), see docs/console.md")]
    public static partial void ConsoleListening(ILogger logger, string address, int port, bool tls);

    [LoggerMessage(12, LogLevel.Information, "Data directory {DataDir}, HSM token {TokenLabel}")]
    public static partial void DataDirectory(ILogger logger, string dataDir, string tokenLabel);

    [LoggerMessage(20, LogLevel.Information, "Created {Kind} wallet {WalletId} for {Principal}")]
    public static partial void WalletCreated(ILogger logger, string kind, string walletId, string principal);

    [LoggerMessage(21, LogLevel.Information, "Stored account xpub {AccountPath} of wallet {WalletId}")]
    public static partial void AccountXpubStored(ILogger logger, string accountPath, string walletId);

    [LoggerMessage(30, LogLevel.Information, "Signed {RequestId} for {Principal}: wallet {WalletId} on {Chain}, audit record {Sequence}")]
    public static partial void Signed(ILogger logger, string requestId, string principal, string walletId, string chain, long sequence);

    [LoggerMessage(31, LogLevel.Information, "Replayed stored reply of {RequestId} for {Principal}")]
    public static partial void Replayed(ILogger logger, string requestId, string principal);

    [LoggerMessage(32, LogLevel.Warning, "Policy refused {RequestId} for {Principal} on wallet {WalletId}: {Outcome} by {Rule}")]
    public static partial void PolicyRefused(ILogger logger, string requestId, string principal, string walletId, string outcome, string rule);

    [LoggerMessage(33, LogLevel.Warning, "Request id {RequestId} of {Principal} reused with a different request")]
    public static partial void RequestIdReused(ILogger logger, string requestId, string principal);

    [LoggerMessage(13, LogLevel.Information, "Ledger: {Ledger}, {Records} audit records")]
    public static partial void LedgerOpened(ILogger logger, string ledger, long records);

    [LoggerMessage(40, LogLevel.Information, "Witness {Witness} holds the checkpoint of size {Size}")]
    public static partial void WitnessAccepted(ILogger logger, string witness, long size);

    [LoggerMessage(41, LogLevel.Warning, "Witness {Witness} did not take the checkpoint of size {Size}; retrying in {RetrySeconds} s: {Reason}")]
    public static partial void WitnessUnreachable(ILogger logger, string witness, long size, double retrySeconds, string reason);

    [LoggerMessage(42, LogLevel.Error, "Witness {Witness} holds a checkpoint this audit log does not extend, so no checkpoint is signed over it (rolled back, tail deleted or rewritten?): {Reason}")]
    public static partial void WitnessConflict(ILogger logger, string witness, string reason);

    [LoggerMessage(43, LogLevel.Information, "Webhook {Webhook}: {EventId} ({Type}) delivered on attempt {Attempt}")]
    public static partial void WebhookDelivered(ILogger logger, string webhook, string eventId, string type, int attempt);

    [LoggerMessage(44, LogLevel.Warning, "Webhook {Webhook}: {EventId} not delivered on attempt {Attempt} ({Problem}); again in {RetrySeconds} s")]
    public static partial void WebhookFailed(ILogger logger, string webhook, string eventId, int attempt, string problem, double retrySeconds);

    [LoggerMessage(45, LogLevel.Error, "Event loop (webhooks, approval expiry) failed: {Kind}: {Reason}; starting again in 5 s")]
    public static partial void EventLoopFailed(ILogger logger, string kind, string reason);
}
