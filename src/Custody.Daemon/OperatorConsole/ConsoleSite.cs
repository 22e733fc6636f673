using System.Text.Json;
using Custody.Core.Ledger;
using Custody.Daemon.Auth;
using Custody.Daemon.Errors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Custody.Daemon.OperatorConsole;

/// <summary>
/// The operator console on its own port: the bundled page and assets, sign-in and sign-out, and
/// the API. A console call to <c>/v1/...</c> is the HTTP/JSON API call itself, run with the
/// session's token put in the Authorization header, so it passes the same interceptors
/// (authentication, role, scope, rate limit, audit). Nothing else of the daemon answers here.
/// Cookies carry only the session id (HttpOnly, SameSite=Strict, Secure under TLS); every request
/// that changes something must carry the session's CSRF token in <see cref="CsrfHeader"/> and, when
/// the browser sends one, an Origin equal to the console's own.
/// </summary>
public sealed class ConsoleSite(int port, bool tls, string assetsDirectory, ConsoleSessions sessions)
{
    public const string CookieName = "custody_console";
    public const string CsrfHeader = "X-Custody-CSRF";
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["/"] = "index.html", ["/app.js"] = "app.js", ["/console.css"] = "console.css",
    };

    public static void Map(WebApplication app, int port, bool tls, int sessionMinutes)
    {
        var sessions = new ConsoleSessions(TimeSpan.FromMinutes(sessionMinutes), app.Services.GetRequiredService<TimeProvider>());
        var site = new ConsoleSite(port, tls, Path.Combine(AppContext.BaseDirectory, "console"), sessions);
        app.Use(site.InvokeAsync);
    }

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (http.Connection.LocalPort != port)
        {
            await next(http).ConfigureAwait(false);
            return;
        }
        var response = http.Response;
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XFrameOptions = "DENY";
        response.Headers.CacheControl = "no-store";
        var request = http.Request;
        var path = request.Path.Value ?? "/";

        if (HttpMethods.IsGet(request.Method) && Assets.TryGetValue(path, out var asset))
        {
            await ServeAssetAsync(http, asset).ConfigureAwait(false);
            return;
        }
        var session = sessions.Find(request.Cookies[CookieName]);
        if (path == "/session")
        {
            await SessionAsync(http, session).ConfigureAwait(false);
            return;
        }
        if (session is null)
        {
            await ProblemAsync(http, StatusCodes.Status401Unauthorized, "not signed in, or the session expired: sign in again").ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsGet(request.Method) && CrossSite(request, session) is { } refusal)
        {
            await ProblemAsync(http, StatusCodes.Status403Forbidden, refusal).ConfigureAwait(false);
            return;
        }
        if (path == "/health" && HttpMethods.IsGet(request.Method))
        {
            await HealthAsync(http).ConfigureAwait(false);
            return;
        }
        if (!path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            await ProblemAsync(http, StatusCodes.Status404NotFound, $"the console serves no '{path}'").ConfigureAwait(false);
            return;
        }
        // The API call itself, as the session's token: any Authorization the page sent is replaced.
        request.Headers.Authorization = "Bearer " + session.Token;
        await next(http).ConfigureAwait(false);
    }

    /// <summary>Why a state-changing request is refused as possibly cross-site, or null.</summary>
    private static string? CrossSite(HttpRequest request, ConsoleSession session)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && origin != $"{request.Scheme}://{request.Host}")
            return $"origin '{origin}' is not the console's";
        var csrf = request.Headers[CsrfHeader].ToString();
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.ASCII.GetBytes(csrf), System.Text.Encoding.ASCII.GetBytes(session.Csrf))
            ? null : $"missing or wrong {CsrfHeader} header";
    }

    private async Task SessionAsync(HttpContext http, ConsoleSession? session)
    {
        var request = http.Request;
        if (HttpMethods.IsGet(request.Method))
        {
            if (session is null) await ProblemAsync(http, StatusCodes.Status401Unauthorized, "not signed in").ConfigureAwait(false);
            else await Results.Json(Describe(session)).ExecuteAsync(http).ConfigureAwait(false);
            return;
        }
        if (HttpMethods.IsDelete(request.Method))
        {
            if (session is not null && CrossSite(request, session) is { } refusal)
            {
                await ProblemAsync(http, StatusCodes.Status403Forbidden, refusal).ConfigureAwait(false);
                return;
            }
            if (session is not null) sessions.Close(session.Id);
            http.Response.Cookies.Delete(CookieName, CookieOptions(TimeSpan.Zero));
            http.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }
        if (!HttpMethods.IsPost(request.Method))
        {
            await ProblemAsync(http, StatusCodes.Status405MethodNotAllowed, "session: GET, POST (sign in) or DELETE (sign out)").ConfigureAwait(false);
            return;
        }
        // Sign-in has no session yet: a login CSRF is stopped by the Origin check (browsers send Origin on every POST).
        var origin = request.Headers.Origin.ToString();
        if (origin != $"{request.Scheme}://{request.Host}")
        {
            await ProblemAsync(http, StatusCodes.Status403Forbidden, origin.Length == 0 ? "sign-in needs an Origin header" : $"origin '{origin}' is not the console's").ConfigureAwait(false);
            return;
        }
        string? secret;
        try
        {
            if (request.ContentLength is null or > 4096) throw new JsonException();
            using var body = await JsonDocument.ParseAsync(request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            secret = body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        }
        catch (JsonException)
        {
            secret = null;
        }
        if (string.IsNullOrWhiteSpace(secret))
        {
            await ProblemAsync(http, StatusCodes.Status400BadRequest, "token: sign-in needs a JSON body {\"token\": \"...\"} of at most 4 KiB").ConfigureAwait(false);
            return;
        }
        ApiToken token;
        try
        {
            token = await http.RequestServices.GetRequiredService<TokenAuthenticator>().AuthenticateAsync("Bearer " + secret, http.RequestAborted).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await ProblemAsync(http, StatusCodes.Status401Unauthorized, "sign-in refused: " + e.Message).ConfigureAwait(false);
            return;
        }
        if (session is not null) sessions.Close(session.Id); // a new sign-in never reuses an id the browser had (session fixation)
        var opened = sessions.Open(secret, token.Principal, token.Roles.ToString());
        http.Response.Cookies.Append(CookieName, opened.Id, CookieOptions(sessions.Lifetime));
        await Results.Json(Describe(opened)).ExecuteAsync(http).ConfigureAwait(false);
    }

    private CookieOptions CookieOptions(TimeSpan maxAge) => new()
    {
        HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = tls, Path = "/", MaxAge = maxAge, IsEssential = true,
    };

    private static object Describe(ConsoleSession session) =>
        new { principal = session.Principal, roles = session.Roles, csrf = session.Csrf, expiresAt = session.ExpiresAt };

    /// <summary>The readiness checks (HSM, ledger), how many audit records no signed checkpoint covers yet, and the checkpoints' verifier key.</summary>
    private static async Task HealthAsync(HttpContext http)
    {
        var report = await http.RequestServices.GetRequiredService<HealthCheckService>().CheckHealthAsync(http.RequestAborted).ConfigureAwait(false);
        var audit = http.RequestServices.GetRequiredService<ILedger>().Audit;
        await Results.Json(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
            auditRecords = audit.Size,
            checkpointLag = audit.Size - audit.CheckpointedSize,
            fullySignedAt = audit.FullySignedAt,
            verifierKey = http.RequestServices.GetRequiredService<Custody.Core.Audit.Notes.NoteVerifierKey>().ToString(),
        }).ExecuteAsync(http).ConfigureAwait(false);
    }

    private async Task ServeAssetAsync(HttpContext http, string name)
    {
        var file = Path.Combine(assetsDirectory, name);
        if (!File.Exists(file))
        {
            await ProblemAsync(http, StatusCodes.Status404NotFound, $"console asset {name} is not installed next to custodyd").ConfigureAwait(false);
            return;
        }
        http.Response.ContentType = Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            _ => "text/css; charset=utf-8",
        };
        await http.Response.SendFileAsync(file, http.RequestAborted).ConfigureAwait(false);
    }

    private static Task ProblemAsync(HttpContext http, int status, string message) =>
        Results.Json(new { error = message }, statusCode: status).ExecuteAsync(http);
}
