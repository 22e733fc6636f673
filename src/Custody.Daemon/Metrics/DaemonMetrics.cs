using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Custody.Daemon.Metrics;

/// <summary>
/// The daemon's counters and histograms, rendered in the Prometheus text format
/// (version 0.0.4) by hand: a few dictionaries, no metrics library.
/// </summary>
public sealed class DaemonMetrics
{
    private readonly ConcurrentDictionary<(string Method, string Code), StrongBox> _requests = new();
    private readonly ConcurrentDictionary<string, Histogram> _latency = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Outcome, string Rule), StrongBox> _decisions = new();
    private readonly ConcurrentDictionary<string, Histogram> _hsmLatency = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox> _hsmErrors = new(StringComparer.Ordinal);
    private readonly Histogram _auditWrite = new();
    private readonly Histogram _signing = new();
    private readonly ConcurrentDictionary<string, Histogram> _stages = new(StringComparer.Ordinal);

    public void RequestFinished(string method, string code, TimeSpan duration)
    {
        Interlocked.Increment(ref _requests.GetOrAdd((method, code), _ => new StrongBox()).Value);
        _latency.GetOrAdd(method, _ => new Histogram()).Observe(duration);
    }

    public void PolicyDecided(string outcome, string rule) =>
        Interlocked.Increment(ref _decisions.GetOrAdd((outcome, rule), _ => new StrongBox()).Value);

    /// <summary>One HSM operation ("unseal", "sign", "generate") and how long it took.</summary>
    public void HsmOperation(string operation, TimeSpan duration) =>
        _hsmLatency.GetOrAdd(operation, _ => new Histogram()).Observe(duration);

    public void HsmError(string operation) =>
        Interlocked.Increment(ref _hsmErrors.GetOrAdd(operation, _ => new StrongBox()).Value);

    public void AuditWrite(TimeSpan duration) => _auditWrite.Observe(duration);

    /// <summary>Key derivation and signature inside the pipeline, unsealing excluded.</summary>
    public void Signed(TimeSpan duration) => _signing.Observe(duration);

    /// <summary>One step of the signing path ("lookup", "admission") and how long it took.</summary>
    public void Stage(string stage, TimeSpan duration) => _stages.GetOrAdd(stage, _ => new Histogram()).Observe(duration);

    public string Render()
    {
        var text = new StringBuilder(4096);
        Header(text, "custody_grpc_requests_total", "counter", "Finished gRPC calls by method and status code.");
        foreach (var ((method, code), count) in _requests.OrderBy(e => e.Key.Method, StringComparer.Ordinal).ThenBy(e => e.Key.Code, StringComparer.Ordinal))
            Sample(text, "custody_grpc_requests_total", $"method=\"{Escape(method)}\",code=\"{code}\"", count.Value);

        Header(text, "custody_grpc_request_duration_seconds", "histogram", "gRPC call latency by method.");
        foreach (var (method, histogram) in _latency.OrderBy(e => e.Key, StringComparer.Ordinal))
            histogram.WriteTo(text, "custody_grpc_request_duration_seconds", $"method=\"{Escape(method)}\"");

        Header(text, "custody_policy_decisions_total", "counter", "Signing decisions by outcome and rule.");
        foreach (var ((outcome, rule), count) in _decisions.OrderBy(e => e.Key.Outcome, StringComparer.Ordinal).ThenBy(e => e.Key.Rule, StringComparer.Ordinal))
            Sample(text, "custody_policy_decisions_total", $"outcome=\"{Escape(outcome)}\",rule=\"{Escape(rule)}\"", count.Value);

        Header(text, "custody_hsm_operation_duration_seconds", "histogram", "HSM operation latency by operation.");
        foreach (var (operation, histogram) in _hsmLatency.OrderBy(e => e.Key, StringComparer.Ordinal))
            histogram.WriteTo(text, "custody_hsm_operation_duration_seconds", $"operation=\"{Escape(operation)}\"");

        Header(text, "custody_hsm_errors_total", "counter", "HSM operations that failed, by operation.");
        foreach (var (operation, count) in _hsmErrors.OrderBy(e => e.Key, StringComparer.Ordinal))
            Sample(text, "custody_hsm_errors_total", $"operation=\"{Escape(operation)}\"", count.Value);

        Header(text, "custody_audit_write_duration_seconds", "histogram", "Durable audit appends (until the commit returns).");
        _auditWrite.WriteTo(text, "custody_audit_write_duration_seconds", "");

        Header(text, "custody_signing_duration_seconds", "histogram", "Derivation and signature in process.");
        _signing.WriteTo(text, "custody_signing_duration_seconds", "");

        Header(text, "custody_signing_stage_duration_seconds", "histogram", "Signing path steps outside the HSM and the audit log: reply lookup, policy admission.");
        foreach (var (stage, histogram) in _stages.OrderBy(e => e.Key, StringComparer.Ordinal))
            histogram.WriteTo(text, "custody_signing_stage_duration_seconds", $"stage=\"{Escape(stage)}\"");
        return text.ToString();
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, string labels, long value) =>
        text.Append(name).Append('{').Append(labels).Append("} ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private sealed class StrongBox
    {
        public long Value;
    }
}
