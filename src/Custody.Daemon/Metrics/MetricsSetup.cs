using Custody.Daemon.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace Custody.Daemon.Metrics;

/// <summary>
/// Exports the daemon's instruments and the platform's through OpenTelemetry: Prometheus text on the
/// loopback metrics port, and OTLP to a collector when one is configured. The platform's meters come
/// as they are: ASP.NET Core and Kestrel (requests, connections), the runtime (GC, thread pool, process
/// CPU and memory).
/// </summary>
public static class MetricsSetup
{
    /// <summary>Meters exported beside <see cref="CustodyMetrics.MeterName"/>.</summary>
    private static readonly string[] PlatformMeters = ["Microsoft.AspNetCore.*", "System.Runtime", "System.Net.Http"];

    public static void AddMetrics(IServiceCollection services, DaemonOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton<CustodyMetrics>();
        services.AddSingleton<StateGauges>();
        if (options.MetricsPort == 0 && string.IsNullOrWhiteSpace(options.Otlp.Endpoint)) return;
        services.AddOpenTelemetry().WithMetrics(metrics =>
        {
            metrics.AddMeter([CustodyMetrics.MeterName, .. PlatformMeters]);
            if (options.MetricsPort > 0)
            {
                metrics.AddPrometheusExporter(prometheus =>
                {
                    prometheus.ScopeInfoEnabled = false; // no otel_scope_* label on every series
                    prometheus.TargetInfoEnabled = false; // custody_build_info says what runs
                    prometheus.ScrapeResponseCacheDurationMilliseconds = 0; // every scrape sees now
                });
            }
            if (!string.IsNullOrWhiteSpace(options.Otlp.Endpoint))
            {
                var otlp = options.Otlp;
                metrics.AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Protocol = otlp.Protocol == OtlpTransport.Http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                    // Set in code, the endpoint is taken as it is: HTTP needs the signal's path.
                    exporter.Endpoint = otlp.Protocol == OtlpTransport.Http
                        ? new Uri(new Uri(otlp.Endpoint.TrimEnd('/') + "/"), "v1/metrics")
                        : new Uri(otlp.Endpoint);
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)(otlp.IntervalSeconds * 1000);
                });
            }
        });
    }

    /// <summary>Serves /metrics on the metrics port only (loopback, see DaemonHost); other ports answer 404.</summary>
    public static void MapMetrics(WebApplication app, int metricsPort)
    {
        ArgumentNullException.ThrowIfNull(app);
        _ = app.Services.GetRequiredService<StateGauges>(); // its gauges exist from the start
        if (metricsPort > 0)
            app.UseOpenTelemetryPrometheusScrapingEndpoint(http => http.Connection.LocalPort == metricsPort && http.Request.Path == "/metrics");
    }
}
