using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Custody.Core.Audit;
using Custody.Core.Ledger;

namespace Custody.Daemon.Webhooks;

/// <summary>
/// Delivers events to one webhook, at least once and in order: it reads the audit log from its
/// cursor, POSTs each event until the receiver answers 2xx (backing off from 0.5 s, doubling, to
/// a minute), and only then moves the cursor, kept in a file that is replaced atomically. A crash
/// between a delivery and the cursor's move sends that event again, with the same id.
/// </summary>
public sealed class WebhookSender(Uri url, WebhookSecret secret, string cursorPath, ILedger ledger, HttpClient http, TimeProvider time, ILogger logger)
{
    /// <summary>How often the log is read for new records while nothing happens.</summary>
    public static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(500);

    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(1);

    /// <summary>How logs name the webhook: its origin (a URL's path or query may carry a receiver's token).</summary>
    public string Name { get; } = url.GetLeftPart(UriPartial.Authority);

    public async Task RunAsync(CancellationToken stopping)
    {
        var next = ReadCursor() ?? ledger.Audit.Size; // a new webhook starts with what happens from now on
        WriteCursor(next);
        while (!stopping.IsCancellationRequested)
        {
            var records = await ledger.Audit.QueryAsync(new AuditQuery { FromSequence = next, Limit = 100 }, stopping).ConfigureAwait(false);
            if (records.Count == 0)
            {
                await Task.Delay(Poll, time, stopping).ConfigureAwait(false);
                continue;
            }
            foreach (var record in records)
            {
                if (WebhookEvent.From(record) is { } e) await DeliverAsync(e, stopping).ConfigureAwait(false);
                next = record.Sequence + 1;
                WriteCursor(next);
            }
        }
    }

    private async Task DeliverAsync(WebhookEvent e, CancellationToken stopping)
    {
        var delay = FirstRetry;
        for (var attempt = 1; ; attempt++)
        {
            string problem;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(e.Body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Add("Custody-Event-Id", e.Id);
                request.Headers.Add("Custody-Event-Type", e.Type);
                request.Headers.Add("Custody-Signature", secret.Sign(time.GetUtcNow().ToUnixTimeSeconds(), e.Body));
                using var response = await http.SendAsync(request, stopping).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Log.WebhookDelivered(logger, Name, e.Id, e.Type, attempt);
                    return;
                }
                problem = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException ex)
            {
                problem = ex.Message;
            }
            catch (TaskCanceledException) when (!stopping.IsCancellationRequested)
            {
                problem = "no answer in time";
            }
            Log.WebhookFailed(logger, Name, e.Id, attempt, problem, delay.TotalSeconds);
            await Task.Delay(delay, time, stopping).ConfigureAwait(false);
            delay = delay * 2 < MaxRetry ? delay * 2 : MaxRetry;
        }
    }

    private long? ReadCursor()
    {
        if (!File.Exists(cursorPath)) return null;
        return long.TryParse(File.ReadAllText(cursorPath).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var next) && next >= 0
            ? next
            : throw new InvalidDataException($"{cursorPath} does not hold a record number; remove it to start from the current end of the log");
    }

    private void WriteCursor(long next)
    {
        var temporary = cursorPath + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.ASCII.GetBytes(next.ToString(CultureInfo.InvariantCulture) + "\n"));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, cursorPath, overwrite: true);
    }

    /// <summary>The cursor file of a webhook URL in <paramref name="directory"/>: named by the URL's SHA-256, so a changed URL starts afresh.</summary>
    public static string CursorPath(string directory, Uri url) =>
        Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url.AbsoluteUri)))[..16] + ".cursor");
}
