using System.ComponentModel.DataAnnotations;

namespace Custody.Daemon.Configuration;

/// <summary>
/// Everything the daemon reads from configuration, and the rules its values follow (checked by
/// <see cref="DaemonConfiguration"/> before anything listens): appsettings.json, the --config
/// file, environment variables with the CUSTODY_ prefix (CUSTODY_PORT, CUSTODY_LIMITS__BURST),
/// then the command line (--data-dir, --port, --Limits:Burst=...). Only the host reads it.
/// docs/daemon.md's table and packaging/custodyd.json list the same keys (a test holds them together).
/// </summary>
public sealed class DaemonOptions
{
    /// <summary>Holds custody.db and the SoftHSM token set up by <c>custody-admin init</c>.</summary>
    public string? DataDir { get; set; }

    /// <summary>IP address to listen on; plaintext is allowed only on a loopback address.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>gRPC, and HTTP/JSON too when TLS is on (ALPN lets one port serve HTTP/2 and HTTP/1.1).</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 7443;

    /// <summary>
    /// HTTP/1.1 for the HTTP/JSON API, OpenAPI and health on the same address and with the same TLS as
    /// <see cref="Port"/>; 0 turns it off. Without TLS, Kestrel cannot offer HTTP/1.1 and HTTP/2 on one
    /// port (no ALPN), so plaintext gRPC and curl need a port each.
    /// </summary>
    [Range(0, 65535)]
    public int HttpPort { get; set; } = 7444;

    public TlsOptions Tls { get; set; } = new();

    /// <summary>Loopback port of the Prometheus /metrics endpoint; 0 turns it off.</summary>
    [Range(0, 65535)]
    public int MetricsPort { get; set; } = 9464;

    /// <summary>Metrics pushed to an OpenTelemetry collector; off unless an endpoint is set.</summary>
    public OtlpOptions Otlp { get; set; } = new();

    public LimitOptions Limits { get; set; } = new();

    /// <summary>How long a token lookup is reused; a revocation takes effect within this time.</summary>
    [Range(0, 86_400.0)]
    public double TokenCacheSeconds { get; set; } = 1;

    /// <summary>How long a stop waits for in-flight calls (signatures) to finish.</summary>
    [Range(0, 86_400)]
    public int ShutdownTimeoutSeconds { get; set; } = 30;

    /// <summary>Log lines on stderr; unset: text when stderr is a terminal, JSON otherwise.</summary>
    public LogFormat? LogFormat { get; set; }

    public HsmSettings Hsm { get; set; } = new();

    public AuditSettings Audit { get; set; } = new();

    public PasskeySettings Passkeys { get; set; } = new();

    public ConsoleOptions Console { get; set; } = new();

    /// <summary>Where events (parked, approved, rejected, expired, frozen, unfrozen) are sent (docs/webhooks.md); none by default.</summary>
    public List<WebhookOptions> Webhooks { get; set; } = [];
    public StorageOptions Storage { get; set; } = new();
}

/// <summary>Which engine holds the ledger: the embedded SQLite file, or a PostgreSQL database several daemons share.</summary>
public enum StorageEngine
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Where the ledger is. With <see cref="StorageEngine.Postgres"/> only the ledger moves: the data
/// directory still holds the SoftHSM token, the audit key id, audit.vkey and admin.token.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>sqlite: custody.db in the data directory. postgres: the database the connection string names.</summary>
    public StorageEngine Engine { get; set; } = StorageEngine.Sqlite;

    /// <summary>
    /// Npgsql connection string without a password (Host, Port, Database, Username, SSL Mode,
    /// Root Certificate …). A password here is refused unless it comes from the environment.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>An owner-only file holding the connection string, password included; the keys of ConnectionString override its keys.</summary>
    [ExistingFile]
    public string? ConnectionStringFile { get; set; }
}

/// <summary>TLS, and mutual TLS when a client CA is given.</summary>
public sealed class TlsOptions
{
    /// <summary>Server certificate: a PEM file (with <see cref="KeyPath"/>) or a PKCS#12 file.</summary>
    [ExistingFile]
    public string? CertificatePath { get; set; }

    /// <summary>PEM private key of the server certificate, when it is not inside the certificate file.</summary>
    [ExistingFile]
    public string? KeyPath { get; set; }

    /// <summary>PEM file of the CA that issues client certificates; set, every client must present one.</summary>
    [ExistingFile]
    public string? ClientCaPath { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);
}

/// <summary>OTLP export of the same metrics /metrics shows.</summary>
public sealed class OtlpOptions
{
    /// <summary>The collector: http://host:4317 for gRPC, http://host:4318 for HTTP (the daemon appends /v1/metrics); unset turns export off.</summary>
    [HttpUrl]
    public string? Endpoint { get; set; }

    public OtlpTransport Protocol { get; set; } = OtlpTransport.Grpc;

    /// <summary>Seconds between exports.</summary>
    [Range(1, 3600.0)]
    public double IntervalSeconds { get; set; } = 15;
}

/// <summary>How OTLP reaches the collector: gRPC, or protobuf over HTTP.</summary>
public enum OtlpTransport
{
    Grpc,
    Http,
}

/// <summary>Overload protection: every limit answers fast with RESOURCE_EXHAUSTED instead of queueing.</summary>
public sealed class LimitOptions
{
    /// <summary>Signatures in progress at once; one more is refused at once. 0: twice the processor count.</summary>
    [Range(0, int.MaxValue)]
    public int MaxConcurrentSignatures { get; set; }

    /// <summary>Largest request message in bytes; gRPC refuses a larger one before reading it.</summary>
    [Range(1, int.MaxValue)]
    public int MaxReceiveMessageSize { get; set; } = 1024 * 1024;

    /// <summary>Sustained calls per second per principal; 0 turns rate limiting off.</summary>
    [Range(0, 1_000_000.0)]
    public double RequestsPerSecond { get; set; } = 500;

    /// <summary>Calls a principal may make at once above its rate.</summary>
    [Range(0, int.MaxValue)]
    public int Burst { get; set; } = 1000;

    /// <summary>
    /// Thread-pool threads ready at once. SQLite commits and PKCS#11 calls block their thread;
    /// with the default (one per core) a few of them starve Kestrel until the pool grows.
    /// </summary>
    [Range(0, 32_767)]
    public int MinThreads { get; set; } = 64;

    public int EffectiveMaxConcurrentSignatures => MaxConcurrentSignatures > 0 ? MaxConcurrentSignatures : 2 * Environment.ProcessorCount;
}
