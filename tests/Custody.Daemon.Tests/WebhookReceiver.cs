using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Custody.Daemon.Tests;

/// <summary>
/// A webhook receiver on a real Kestrel at a free loopback port: it keeps every attempt (headers
/// and body) and answers 500 to the next <see cref="FailNext"/> attempts, or to all while
/// <see cref="FailAll"/> is set, then 204.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failNext;

    private WebhookReceiver(WebApplication app, int port)
    {
        _app = app;
        Url = $"http://127.0.0.1:{port}/hooks/custody";
    }

    public string Url { get; }

    public int FailNext { set => Volatile.Write(ref _failNext, value); }

    public bool FailAll { get; set; }

    /// <summary>Every attempt, in arrival order, and whether it was accepted.</summary>
    public ConcurrentQueue<Attempt> Attempts { get; } = new();

    public IEnumerable<Attempt> Accepted => Attempts.Where(a => a.Accepted);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, port);
        app.MapPost("/hooks/custody", async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var fail = receiver.FailAll || Interlocked.Decrement(ref receiver._failNext) >= 0;
            receiver.Attempts.Enqueue(new Attempt(context.Request.Headers["Custody-Event-Id"].ToString(), context.Request.Headers["Custody-Event-Type"].ToString(),
                context.Request.Headers["Custody-Signature"].ToString(), body.ToArray(), !fail));
            context.Response.StatusCode = fail ? StatusCodes.Status500InternalServerError : StatusCodes.Status204NoContent;
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed record Attempt(string EventId, string EventType, string Signature, byte[] Body, bool Accepted);
}
