using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Custody.Daemon.Audit;
using Custody.Daemon.Auth;
using Custody.Daemon.Configuration;
using Custody.Daemon.OperatorConsole;
using Custody.Daemon.Errors;
using Custody.Daemon.Http;
using Custody.Daemon.Limits;
using Custody.Daemon.Metrics;
using Custody.Daemon.Webhooks;
using Custody.Core.Audit.Notes;
using Custody.Core.Policy;
using Custody.Core.Ledger;
using Custody.Daemon.Services;
using Custody.Daemon.Signing;
using Custody.Daemon.Wallets;
using Custody.Hsm;
using Custody.Storage;
using Custody.Storage.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Custody.Daemon;

/// <summary>
/// Builds the daemon: configuration, Kestrel endpoints, the services and their interceptors.
/// The only code that reads configuration; everything below it receives values.
/// </summary>
public static class DaemonHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null) =>
        Build(CommandLine.Parse(args), customize);

    public static WebApplication Build(CommandLine commandLine, Action<WebApplicationBuilder>? customize = null)
    {
        // The arguments are not the host's: DaemonConfiguration decides what is configuration.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        var options = DaemonConfiguration.Read(builder.Configuration, commandLine, Environment.GetEnvironmentVariables());
        DaemonLogging.Configure(builder.Logging, options.LogFormat);
        if (string.IsNullOrWhiteSpace(options.DataDir))
            throw new StartupException("no data directory: pass --data-dir DIR (created by custody-admin init)");
        var dataDir = new DataDirectory(options.DataDir);
        if (!LedgerSetup.Exists(dataDir, options.Storage))
            throw new StartupException($"{dataDir.Root} holds no installation: run custody-admin init --data-dir {dataDir.Root} first");

        builder.Services.Configure<DaemonOptions>(builder.Configuration);
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (options.Limits.MinThreads > workers) ThreadPool.SetMinThreads(options.Limits.MinThreads, Math.Max(io, options.Limits.MinThreads));
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(options.ShutdownTimeoutSeconds));
        ConfigureKestrel(builder, options);

        builder.Services.AddSingleton(TimeProvider.System);
        var hsmSettings = options.Hsm;
        var hsmOptions = HsmSetup.Options(dataDir.Root, hsmSettings);
        builder.Services.AddSingleton(_ => HsmConnection.Open(hsmOptions));
        builder.Services.AddSingleton(hsmSettings);
        var auditSettings = options.Audit;
        var passkeys = options.Passkeys.RelyingParty();
        var webhooks = WebhookDispatcher.Configured(options.Webhooks);
        builder.Services.AddSingleton(sp => LedgerSetup.Signer(dataDir, sp.GetRequiredService<HsmConnection>()));
        builder.Services.AddHttpClient(nameof(CheckpointWitnesses), http => http.Timeout = LedgerSetup.WitnessTimeout).RemoveAllLoggers(); // CheckpointWitnesses logs what matters
        builder.Services.AddSingleton(sp => new CheckpointWitnesses(
            LedgerSetup.Witnesses(auditSettings, sp.GetRequiredService<NoteVerifierKey>(), sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(CheckpointWitnesses))),
            sp.GetRequiredService<CustodyMetrics>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CheckpointWitnesses>>()));
        builder.Services.AddSingleton(sp => LedgerSetup.Open(dataDir, options.Storage, auditSettings, sp.GetRequiredService<HsmCheckpointSigner>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<CheckpointWitnesses>(), passkeys));
        builder.Services.AddSingleton<ILedger>(sp => sp.GetRequiredService<Ledger>());
        builder.Services.AddSingleton(sp => NoteVerifierKey.For(sp.GetRequiredService<HsmCheckpointSigner>()));
        builder.Services.AddSingleton<RefusalAudit>();
        builder.Services.AddSingleton(dataDir);
        builder.Services.AddHttpClient(nameof(WebhookDispatcher), http => http.Timeout = TimeSpan.FromSeconds(10)).RemoveAllLoggers(); // WebhookSender logs what matters, never the URL's path
        builder.Services.AddHostedService(sp => new WebhookDispatcher(webhooks, dataDir, sp.GetRequiredService<ILedger>(), sp.GetRequiredService<IHttpClientFactory>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<WebhookDispatcher>>()));
        builder.Services.AddSingleton(sp => new KeyRingCache(TimeSpan.FromSeconds(sp.GetRequiredService<HsmSettings>().KeyRingCacheSeconds), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<WalletKeyVault>();
        builder.Services.AddSingleton<WalletRepository>();
        builder.Services.AddSingleton<DescriptorAccounts>();
        builder.Services.AddSingleton<SigningPipeline>();
        builder.Services.AddSingleton<TokenAuthenticator>();
        builder.Services.AddSingleton<ScopeCheck>();
        MetricsSetup.AddMetrics(builder.Services, options);
        builder.Services.AddSingleton<SigningSlots>();
        builder.Services.AddSingleton<ErrorMapper>();
        builder.Services.AddSingleton<MetricsInterceptor>();
        builder.Services.AddSingleton<ErrorInterceptor>();
        builder.Services.AddSingleton<AuthInterceptor>();
        builder.Services.AddSingleton<RateLimitInterceptor>();

        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = options.Limits.MaxReceiveMessageSize;
            grpc.EnableDetailedErrors = false;
            // Outermost first: metrics see the final status, errors are mapped before that,
            // and nothing runs before authentication except these two.
            grpc.Interceptors.Add<MetricsInterceptor>();
            grpc.Interceptors.Add<ErrorInterceptor>();
            grpc.Interceptors.Add<AuthInterceptor>();
            grpc.Interceptors.Add<RateLimitInterceptor>();
        });
        builder.Services.AddHttpApi();
        builder.Services.AddGrpcReflection();
        builder.Services.AddGrpcHealthChecks().AddCheck<HsmHealthCheck>("hsm").AddCheck<LedgerHealthCheck>("ledger");

        customize?.Invoke(builder);

        var app = builder.Build();
        OpenHsmNow(app.Services, hsmOptions);
        if (options.Console.Port > 0) ConsoleSite.Map(app, options.Console.Port, options.Tls.Enabled, options.Console.SessionMinutes, passkeys);
        MetricsSetup.MapMetrics(app, options.MetricsPort);
        app.MapHttpApi(options.MetricsPort, options.Limits.MaxReceiveMessageSize);
        app.MapGrpcService<SystemService>();
        app.MapGrpcService<WalletService>();
        app.MapGrpcService<SigningService>();
        app.MapGrpcService<AuditService>();
        app.MapGrpcService<PolicyService>();
        app.MapGrpcReflectionService();
        app.MapGrpcHealthChecksService();

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Custody.Daemon");
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            Log.Listening(logger, options.Address, options.Port, options.Tls.Enabled, !string.IsNullOrWhiteSpace(options.Tls.ClientCaPath));
            if (options.HttpPort > 0) Log.HttpListening(logger, options.Address, options.HttpPort, options.Tls.Enabled, HttpApi.OpenApiPath);
            if (options.MetricsPort > 0) Log.MetricsListening(logger, options.MetricsPort);
            if (options.Console.Port > 0) Log.ConsoleListening(logger, options.Console.Address, options.Console.Port, options.Tls.Enabled);
        });
        return app;
    }

    /// <summary>A wrong PIN, a missing token, KEK or audit key, or an audit log that does not fit its head shows at start, not at the first signature.</summary>
    private static void OpenHsmNow(IServiceProvider services, HsmOptions options)
    {
        try
        {
            var versions = services.GetRequiredService<HsmConnection>().Keks.Versions();
            var wanted = services.GetRequiredService<HsmSettings>().KekVersion;
            if (versions.Count == 0)
                throw new StartupException($"HSM token '{options.TokenLabel}' holds no KEK: run custody-admin init");
            if (wanted > 0 && !versions.Contains(wanted))
                throw new StartupException($"HSM token '{options.TokenLabel}' has no KEK v{wanted} (Hsm:KekVersion); it has v{string.Join(", v", versions)}");
            var ledger = services.GetRequiredService<Ledger>();
            Log.LedgerOpened(services.GetRequiredService<ILoggerFactory>().CreateLogger("Custody.Daemon"), ledger.Describe(), ledger.Audit.Size);
        }
        catch (HsmException e)
        {
            throw new StartupException($"HSM token '{options.TokenLabel}' ({options.ModulePath}): {e.Message}");
        }
    }

    private static void ConfigureKestrel(WebApplicationBuilder builder, DaemonOptions options)
    {
        var address = ParseAddress(options.Address);
        if (!options.Tls.Enabled && !IPAddress.IsLoopback(address))
            throw new StartupException($"refusing plaintext HTTP/2 on {options.Address}: it is not a loopback address; configure Tls:CertificatePath");
        var serverCertificate = options.Tls.Enabled ? LoadCertificate("Tls:CertificatePath", () => LoadServerCertificate(options.Tls)) : null;
        var clientCa = string.IsNullOrWhiteSpace(options.Tls.ClientCaPath) ? null
            : LoadCertificate("Tls:ClientCaPath", () => X509Certificate2.CreateFromPem(File.ReadAllText(options.Tls.ClientCaPath)));
        if (clientCa is not null && serverCertificate is null)
            throw new StartupException("Tls:ClientCaPath needs Tls:CertificatePath: client certificates exist only inside TLS");
        int[] ports = [.. new[] { options.Port, options.HttpPort, options.MetricsPort, options.Console.Port }.Where(p => p > 0)];
        if (ports.Distinct().Count() != ports.Length)
            throw new StartupException($"Port ({options.Port}), HttpPort ({options.HttpPort}), MetricsPort ({options.MetricsPort}) and Console:Port ({options.Console.Port}) must differ (0 turns the last three off)");
        var consoleAddress = options.Console.Port > 0 ? ParseAddress(options.Console.Address) : null;
        if (consoleAddress is not null && !options.Tls.Enabled && !IPAddress.IsLoopback(consoleAddress))
            throw new StartupException($"refusing the console in plaintext on {options.Console.Address}: it is not a loopback address; configure Tls:CertificatePath or keep Console:Address on localhost");

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Without TLS there is no ALPN: the gRPC port speaks HTTP/2 alone (curl --http2-prior-knowledge
            // reaches the JSON routes there too) and HTTP/1.1 clients get HttpPort. With TLS both ports serve both.
            kestrel.Listen(address, options.Port, listen => Secure(listen, serverCertificate is null ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2));
            if (options.HttpPort > 0)
                kestrel.Listen(address, options.HttpPort, listen => Secure(listen, HttpProtocols.Http1));
            if (options.MetricsPort > 0)
                kestrel.Listen(IPAddress.Loopback, options.MetricsPort, listen => listen.Protocols = HttpProtocols.Http1);
            // Browsers never present the API's client certificates: the console signs in with a token instead.
            if (consoleAddress is not null && options.Console.Address.Equals("localhost", StringComparison.OrdinalIgnoreCase))
                kestrel.ListenLocalhost(options.Console.Port, ConsoleEndpoint);
            else if (consoleAddress is not null)
                kestrel.Listen(consoleAddress, options.Console.Port, ConsoleEndpoint);
        });

        void ConsoleEndpoint(ListenOptions listen)
        {
            listen.Protocols = HttpProtocols.Http1;
            if (serverCertificate is not null) listen.UseHttps(serverCertificate);
        }

        void Secure(ListenOptions listen, HttpProtocols protocols)
        {
            listen.Protocols = protocols;
            if (serverCertificate is null) return;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = serverCertificate;
                if (clientCa is null) return;
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (certificate, _, _) => IssuedBy(certificate, clientCa);
            });
        }
    }

    private static IPAddress ParseAddress(string text) =>
        text.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(text, out var ip) ? ip
        : throw new StartupException($"Address '{text}' is not an IP address");

    /// <summary>A file that exists but holds no usable certificate or key is a configuration error too.</summary>
    private static X509Certificate2 LoadCertificate(string key, Func<X509Certificate2> load)
    {
        try
        {
            return load();
        }
        catch (CryptographicException e)
        {
            throw new StartupException($"{key}: {e.Message}");
        }
    }

    private static X509Certificate2 LoadServerCertificate(TlsOptions tls) =>
        string.IsNullOrWhiteSpace(tls.KeyPath)
            ? X509CertificateLoader.LoadPkcs12FromFile(tls.CertificatePath!, password: null)
            : X509Certificate2.CreateFromPemFile(tls.CertificatePath!, tls.KeyPath);

    /// <summary>Mutual TLS trusts exactly one CA: the operator's, not the system store.</summary>
    private static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}

/// <summary>A configuration problem that stops the daemon before it listens; the message is the whole story.</summary>
public sealed class StartupException(string message, int exitCode = StartupException.ConfigurationExitCode) : Exception(message)
{
    public const int ConfigurationExitCode = 1;

    /// <summary>A command line custodyd cannot read, as custody-admin's usage errors.</summary>
    public const int UsageExitCode = 2;

    public int ExitCode { get; } = exitCode;
}
