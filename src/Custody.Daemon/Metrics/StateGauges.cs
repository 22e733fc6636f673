using System.Diagnostics.Metrics;
using Custody.Core;
using Custody.Core.Ledger;
using Custody.Daemon.Limits;
using Custody.Hsm;
using Custody.Storage;

namespace Custody.Daemon.Metrics;

/// <summary>
/// The gauges an operator watches, read from the daemon's state when metrics are collected (a scrape
/// or an OTLP export), and the ledger's commit events. What costs a query (parked requests, freezes)
/// or an HSM call is read at most every <see cref="CacheFor"/>, however often the daemon is scraped.
/// </summary>
public sealed class StateGauges
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private readonly Cached<PolicyCounts?> _policy;
    private readonly Cached<IReadOnlyList<WalletCount>?> _wallets;
    private readonly Cached<bool> _hsmUp;

    public StateGauges(CustodyMetrics metrics, Ledger ledger, HsmConnection hsm, SigningSlots slots, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(ledger);
        var meter = metrics.Meter;
        var audit = ledger.Audit;
        _policy = new Cached<PolicyCounts?>(clock, () =>
        {
            try
            {
                return ledger.Policy.CountAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (LedgerUnavailableException)
            {
                return null; // no sample: the store's own alerts speak
            }
        });
        _wallets = new Cached<IReadOnlyList<WalletCount>?>(clock, () =>
        {
            try
            {
                return ledger.Wallets.CountAsync(CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (LedgerUnavailableException)
            {
                return null;
            }
        });
        _hsmUp = new Cached<bool>(clock, () => hsm.Probe().State != HsmProbeState.Unavailable); // as the health check
        var version = BuildVersion.Of(typeof(StateGauges).Assembly);
        meter.CreateObservableGauge("custody.build.info", () => new Measurement<long>(1,
            new KeyValuePair<string, object?>("version", version.Version), new KeyValuePair<string, object?>("commit", version.Commit ?? "unknown")),
            description: "Always 1; its labels say which build runs.");

        meter.CreateObservableGauge("custody.audit.log.records", () => audit.Size, "{record}", "Records in the audit log.");
        meter.CreateObservableGauge("custody.audit.checkpoint.lag.records", () => Math.Max(0, audit.Size - audit.CheckpointedSize), "{record}",
            "Audit records not yet covered by a signed checkpoint.");
        meter.CreateObservableGauge("custody.audit.checkpoint.lag", () => audit.Size > audit.CheckpointedSize
                ? Math.Max(0, (clock.GetUtcNow() - audit.FullySignedAt).TotalSeconds) : 0.0, "s",
            "How long records have waited for a signed checkpoint: 0 when every record is signed.");
        meter.CreateObservableGauge("custody.audit.checkpoint.failing", () => audit.LastCheckpointError is null ? 0 : 1, "{state}",
            "1 while the last attempt to sign a checkpoint failed.");

        meter.CreateObservableGauge("custody.hsm.up", () => _hsmUp.Value ? 1 : 0, "{state}", "1 while the HSM answers (one byte from its generator) or is only busy.");
        meter.CreateObservableGauge("custody.hsm.sessions", () =>
        {
            var use = hsm.Sessions;
            return new[]
            {
                new Measurement<int>(use.Leased, new KeyValuePair<string, object?>("state", "leased")),
                new Measurement<int>(Math.Max(0, use.Open - use.Leased), new KeyValuePair<string, object?>("state", "idle")),
            };
        }, "{session}", "PKCS#11 sessions open, running an operation (leased) or idle.");
        meter.CreateObservableGauge("custody.hsm.sessions.max", () => hsm.Sessions.Max, "{session}", "PKCS#11 sessions that may be open at once (Hsm:MaxSessions).");

        meter.CreateObservableGauge("custody.signing.slots.used", () => slots.InUse, "{slot}", "Signatures in progress.");
        meter.CreateObservableGauge("custody.signing.slots.max", () => slots.Capacity, "{slot}", "Signatures that may be in progress at once (Limits:MaxConcurrentSignatures).");

        meter.CreateObservableGauge("custody.parked.requests", () => Sample(_policy.Value?.ParkedWaiting), "{request}",
            "Parked requests waiting for approvals.");
        meter.CreateObservableGauge("custody.frozen.wallets", () => Sample(_policy.Value?.FrozenWallets), "{wallet}", "Wallets frozen one by one.");
        meter.CreateObservableGauge("custody.frozen.global", () => Sample(_policy.Value is { } p ? (p.GloballyFrozen ? 1 : 0) : null), "{state}",
            "1 while everything is frozen.");
        // An alert on backup="none" finds every wallet whose funds are lost with the HSM or the ledger.
        meter.CreateObservableGauge("custody.wallets", () => (_wallets.Value ?? []).Select(count => new Measurement<long>(count.Count,
                new KeyValuePair<string, object?>("kind", count.Kind == WalletKind.Hd ? "hd" : "hsm_native"),
                new KeyValuePair<string, object?>("backup", WalletBackups.Text(count.Backup)))),
            "{wallet}", "Wallets by kind and backup state (none: no copy of the keys outside the HSM and the ledger).");

        ledger.Writer.Committed += metrics.LedgerCommitted;
    }

    private static IEnumerable<Measurement<long>> Sample(long? value) => value is { } v ? [new Measurement<long>(v)] : [];

    /// <summary>A value read at most once per <see cref="CacheFor"/>.</summary>
    private sealed class Cached<T>(TimeProvider clock, Func<T> read)
    {
        private readonly Lock _lock = new();
        private (T Value, long At)? _last;

        public T Value
        {
            get
            {
                lock (_lock)
                {
                    if (_last is { } last && clock.GetElapsedTime(last.At) < CacheFor) return last.Value;
                    var value = read();
                    _last = (value, clock.GetTimestamp());
                    return value;
                }
            }
        }
    }
}
