using System.Text.Json;
using System.Text.RegularExpressions;
using Custody.V1;
using Grpc.Core;
using Xunit.Abstractions;

namespace Custody.Daemon.Tests;

/// <summary>
/// What packaging/monitoring ships against what the daemon exposes: promtool checks and unit-tests
/// the alert rules and lints the daemon's own metrics; the Grafana dashboard is a dashboard, and
/// every metric it or a rule queries is in a real scrape (the witness metrics in WitnessTests).
/// </summary>
[Collection(DaemonCollection.Name)]
public partial class MonitoringTests(DaemonFixture daemon, ITestOutputHelper output) : LoggedTest(daemon.Logs)
{
    public static readonly string Directory = Repository.File("packaging", "monitoring");

    [Fact]
    public void The_alert_rules_pass_promtool_check_and_their_unit_tests()
    {
        if (Promtool() is not { } promtool) return;
        Run(promtool, "check", "rules", "custody-alerts.yml");
        var tested = Run(promtool, "test", "rules", "custody-alerts.test.yml");
        Assert.Contains("SUCCESS", tested, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Custody_metrics_follow_prometheus_conventions_and_every_metric_monitoring_queries_is_scraped()
    {
        await SignOnceAsync();
        var page = await daemon.MetricsAsync();
        var samples = Metrics.Samples(page).ToList();

        foreach (var (name, labels, _) in samples.Where(s => s.Name.StartsWith("custody_", StringComparison.Ordinal)))
        {
            Assert.Matches("^[a-z][a-z0-9_]*$", name);
            foreach (var (label, value) in labels.Where(l => l.Key is not ("method" or "le" or "version" or "commit" or "witness")))
                Assert.True(LowercaseValue().IsMatch(value), $"{name}: {label}=\"{value}\" is not lowercase snake case");
        }
        if (Promtool() is { } promtool)
        {
            var ours = string.Join('\n', page.Split('\n').Where(l => l.StartsWith("custody_", StringComparison.Ordinal) || Regex.IsMatch(l, "^# (HELP|TYPE) custody_"))) + "\n";
            RunWithInput(promtool, ours, "check", "metrics");
        }

        var scraped = samples.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var missing = QueriedMetrics().Where(m => !m.StartsWith("custody_audit_witness_", StringComparison.Ordinal) && !scraped.Contains(m)).ToList();
        Assert.True(missing.Count == 0, $"queried but not scraped: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_dashboard_is_a_grafana_dashboard_of_prometheus_panels()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "custody-dashboard.json")));
        var root = dashboard.RootElement;
        Assert.False(string.IsNullOrEmpty(root.GetProperty("uid").GetString()));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("title").GetString()));
        Assert.True(root.GetProperty("schemaVersion").GetInt32() >= 36);
        var panels = root.GetProperty("panels").EnumerateArray().ToList();
        Assert.NotEmpty(panels);
        Assert.Equal(panels.Count, panels.Select(p => p.GetProperty("id").GetInt32()).Distinct().Count());
        foreach (var panel in panels)
        {
            Assert.Equal("prometheus", panel.GetProperty("datasource").GetProperty("type").GetString());
            foreach (var side in new[] { "x", "y", "w", "h" }) Assert.True(panel.GetProperty("gridPos").GetProperty(side).GetInt32() >= 0);
            var targets = panel.GetProperty("targets").EnumerateArray().ToList();
            Assert.NotEmpty(targets);
            Assert.All(targets, t => Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("expr").GetString())));
            Assert.Equal(targets.Count, targets.Select(t => t.GetProperty("refId").GetString()).Distinct().Count());
        }
    }

    /// <summary>Every metric name the dashboard's queries and the alert rules' expressions use.</summary>
    public static IReadOnlySet<string> QueriedMetrics()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "custody-dashboard.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!)
            .Append(File.ReadAllText(Path.Combine(Directory, "custody-alerts.yml")));
        return expressions.SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A signature, a refusal and a denied call, so that every counter and histogram has a sample.</summary>
    private async Task SignOnceAsync()
    {
        var admin = DaemonFixture.Bearer(daemon.AdminToken);
        var signer = DaemonFixture.Bearer(daemon.SignerToken);
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "monitoring", Kind = WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, admin);
        await daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = "req-" + Guid.NewGuid().ToString("N"),
            WalletId = wallet.WalletId,
            Chain = "eth",
            Payload = EvmPayloads.Eip1559(nonce: 1),
            Signer = new V1.Signer { Account = 0, Index = 0 },
        }, signer);
        await Assert.ThrowsAsync<RpcException>(async () => await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "no", Kind = WalletKind.Hd }, signer));
    }

    /// <summary>promtool from Debian's prometheus package (scripts/test.sh installs it); null, with a message, only where it could not be installed.</summary>
    private string? Promtool()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "promtool")).FirstOrDefault(File.Exists);
        if (path is null && Environment.GetEnvironmentVariable("CUSTODY_NO_PROMTOOL") is { Length: > 0 } why)
        {
            output.WriteLine($"promtool checks skipped: {why}");
            return null;
        }
        return path ?? throw new InvalidOperationException("promtool is not installed: apt-get install prometheus (scripts/test.sh does)");
    }

    private static string Run(string promtool, params string[] args) => RunWithInput(promtool, null, args);

    private static string RunWithInput(string promtool, string? stdin, params string[] args) =>
        ChildProcess.Succeed([promtool], args, workingDirectory: Directory, input: stdin).Stdout;

    [GeneratedRegex("^[a-z0-9_]*$")]
    private static partial Regex LowercaseValue();

    [GeneratedRegex(@"\b(custody|dotnet|kestrel|http_server|aspnetcore)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();
}
