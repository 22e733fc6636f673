using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Custody.Core.Policy;

namespace Custody.Daemon.Metrics;

/// <summary>
/// The daemon's own instruments on the "Custody.Daemon" meter (System.Diagnostics.Metrics), next to
/// the platform's (ASP.NET Core, Kestrel, the runtime); <see cref="MetricsSetup"/> exports them all.
/// Instrument names are OpenTelemetry's dotted form with a unit; the Prometheus exporter turns
/// "custody.signing.duration" in seconds into <c>custody_signing_duration_seconds</c> and a counter
/// into <c>…_total</c>. Label values are lowercase snake case (<see cref="LabelValue"/>).
/// docs/monitoring.md lists every metric.
/// </summary>
public sealed class CustodyMetrics
{
    public const string MeterName = "Custody.Daemon";

    /// <summary>From 100 µs to 10 s: signing sits in the low milliseconds, HSM trouble in seconds.</summary>
    private static readonly double[] Seconds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>Changes per ledger commit: one up to the writer's batch limit (256).</summary>
    private static readonly double[] BatchSizes = [1, 2, 4, 8, 16, 32, 64, 128, 256];

    /// <summary>The HSM operations the daemon times (<c>operation</c> label).</summary>
    public static readonly string[] HsmOperations = ["random", "seal", "unseal", "generate", "list_keks", "sign"];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _requestDuration;
    private readonly Counter<long> _decisions;
    private readonly Histogram<double> _hsmDuration;
    private readonly ConcurrentDictionary<string, StrongBox<long>> _hsmErrors = new(StringComparer.Ordinal);
    private readonly Histogram<double> _auditWrite;
    private long _auditWriteFailures;
    private readonly Histogram<double> _signing;
    private readonly Histogram<double> _stages;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<double> _commitBatch;

    public CustodyMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meter = meters.Create(MeterName);
        _requests = Meter.CreateCounter<long>("custody.grpc.requests", "{request}", "Finished gRPC calls by method and status code.");
        _requestDuration = SecondsHistogram("custody.grpc.request.duration", "gRPC call latency by method.");
        _decisions = Meter.CreateCounter<long>("custody.policy.decisions", "{decision}", "Signing decisions by outcome and rule.");
        _hsmDuration = SecondsHistogram("custody.hsm.operation.duration", "HSM operation latency by operation.");
        // Failure counters are observed, so that each series exists at 0 from the start and a rate is defined before the first failure.
        foreach (var operation in HsmOperations) _hsmErrors[operation] = new StrongBox<long>();
        Meter.CreateObservableCounter("custody.hsm.errors", () => _hsmErrors.Select(e =>
            new Measurement<long>(Interlocked.Read(ref e.Value.Value), new KeyValuePair<string, object?>("operation", e.Key))), "{error}", "HSM operations that failed, by operation.");
        _auditWrite = SecondsHistogram("custody.audit.write.duration", "Durable audit appends of the signing path (until the commit returns).");
        Meter.CreateObservableCounter("custody.audit.write.failures", () => Interlocked.Read(ref _auditWriteFailures), "{failure}",
            "Signing-path commits (and their audit records) that failed.");
        _signing = SecondsHistogram("custody.signing.duration", "Derivation and signature in process.");
        _stages = SecondsHistogram("custody.signing.stage.duration", "Signing path steps outside the HSM and the audit log: reply lookup, policy judgement.");
        _commitDuration = SecondsHistogram("custody.ledger.commit.duration", "Ledger transactions (group commits), until durable.");
        _commitBatch = Meter.CreateHistogram("custody.ledger.commit.batch.size", "{change}", "Changes that shared one ledger commit.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = BatchSizes });
    }


    /// <summary>The meter, for the gauges that read the daemon's state (<see cref="CustodyGauges"/>).</summary>
    public Meter Meter { get; }

    /// <param name="method">The gRPC method's full name, as the contract spells it (/custody.v1.SigningService/SignTransaction).</param>
    /// <param name="code">The status code's name in lowercase (ok, permission_denied).</param>
    public void RequestFinished(string method, string code, TimeSpan duration)
    {
        var labels = new KeyValuePair<string, object?>("method", method);
        _requests.Add(1, labels, new KeyValuePair<string, object?>("code", code));
        _requestDuration.Record(duration.TotalSeconds, labels);
    }

    public void PolicyDecided(PolicyOutcome outcome, string rule) =>
        _decisions.Add(1, new KeyValuePair<string, object?>("outcome", LabelValue.Of(outcome.ToString())), new KeyValuePair<string, object?>("rule", LabelValue.Of(rule)));

    /// <summary>One HSM operation ("unseal", "sign", "generate", "list_keks") and how long it took.</summary>
    public void HsmOperation(string operation, TimeSpan duration) =>
        _hsmDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("operation", LabelValue.Of(operation)));

    public void HsmError(string operation) => Interlocked.Increment(ref _hsmErrors.GetOrAdd(LabelValue.Of(operation), _ => new StrongBox<long>()).Value);

    public void AuditWrite(TimeSpan duration) => _auditWrite.Record(duration.TotalSeconds);

    public void AuditWriteFailed() => Interlocked.Increment(ref _auditWriteFailures);

    /// <summary>Key derivation and signature inside the pipeline, unsealing excluded.</summary>
    public void Signed(TimeSpan duration) => _signing.Record(duration.TotalSeconds);

    /// <summary>One step of the signing path ("lookup", "judge") and how long it took.</summary>
    public void Stage(string stage, TimeSpan duration) => _stages.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("stage", LabelValue.Of(stage)));

    /// <summary>One ledger transaction: how many changes it carried and how long it took to be durable.</summary>
    public void LedgerCommitted(int changes, TimeSpan duration)
    {
        _commitDuration.Record(duration.TotalSeconds);
        _commitBatch.Record(changes);
    }

    private Histogram<double> SecondsHistogram(string name, string description) =>
        Meter.CreateHistogram(name, "s", description, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Seconds });
}
