using Custody.Core.Ledger;
using Custody.Daemon.Configuration;
using Custody.Storage;

namespace Custody.Daemon.Webhooks;

/// <summary>Runs one <see cref="WebhookSender"/> per configured webhook, and the sweep that records expired approvals (an event too).</summary>
public sealed class WebhookDispatcher(IReadOnlyList<(Uri Url, WebhookSecret Secret)> webhooks, DataDirectory dataDir, ILedger ledger,
    IHttpClientFactory http, TimeProvider time, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    /// <summary>How often parked requests are checked for a closed window.</summary>
    public static readonly TimeSpan ExpirySweep = TimeSpan.FromSeconds(1);

    /// <summary>The configured webhooks (each entry a Url and a SecretFile, checked here since they span two keys).</summary>
    public static IReadOnlyList<(Uri Url, WebhookSecret Secret)> Configured(IReadOnlyList<WebhookOptions> options)
    {
        var webhooks = new List<(Uri, WebhookSecret)>();
        for (var i = 0; i < options.Count; i++)
        {
            var entry = options[i];
            if (string.IsNullOrWhiteSpace(entry.Url) || string.IsNullOrWhiteSpace(entry.SecretFile))
                throw new StartupException($"Webhooks:{i}: set both Url and SecretFile");
            var url = new Uri(entry.Url);
            if (url.Scheme != Uri.UriSchemeHttps && !url.IsLoopback)
                throw new StartupException($"Webhooks:{i}:Url: plain http only to a loopback receiver; use https");
            webhooks.Add((url, WebhookSecret.Read(entry.SecretFile, $"Webhooks:{i}:SecretFile")));
        }
        return webhooks;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var directory = Path.Combine(dataDir.Root, "webhooks");
        if (webhooks.Count > 0) Directory.CreateDirectory(directory);
        var client = http.CreateClient(nameof(WebhookDispatcher));
        var loops = webhooks.Select(w => Guard(new WebhookSender(w.Url, w.Secret, WebhookSender.CursorPath(directory, w.Url), ledger, client, time, logger).RunAsync, stoppingToken));
        return Task.WhenAll([.. loops, Guard(SweepAsync, stoppingToken)]);
    }

    private async Task SweepAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            await ledger.Policy.ExpireDueAsync(stopping).ConfigureAwait(false);
            await Task.Delay(ExpirySweep, time, stopping).ConfigureAwait(false);
        }
    }

    /// <summary>Runs a loop until the daemon stops; a failure (the ledger unavailable) is logged and the loop starts again after a pause.</summary>
    private async Task Guard(Func<CancellationToken, Task> loop, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await loop(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.EventLoopFailed(logger, e.GetType().Name, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(5), time, stopping).ConfigureAwait(false);
            }
        }
    }

    public override void Dispose()
    {
        foreach (var (_, secret) in webhooks) secret.Dispose();
        base.Dispose();
    }
}
