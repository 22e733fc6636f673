using System.Buffers.Text;
using System.Text.Json;
using Custody.Core;
using Custody.Core.Ledger;
using Custody.Core.WebAuthn;
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
/// session's token put in the Authorization header (a passkey session: its approver identity
/// attached as <see cref="ConsoleIdentity"/>, any Authorization removed), so it passes the same
/// interceptors (authentication, role, scope, rate limit, audit). Nothing else of the daemon answers here.
/// Cookies carry only the session id (HttpOnly, SameSite=Strict, Secure under TLS); every request
/// that changes something must carry the session's CSRF token in <see cref="CsrfHeader"/> and, when
/// the browser sends one, an Origin equal to the console's own.
/// </summary>
public sealed class ConsoleSite(int port, bool tls, string assetsDirectory, ConsoleSessions sessions, RelyingParty? passkeys)
{
    /// <summary>A sign-in body: a token, or a passkey assertion whose credential id may run to 1023 bytes.</summary>
    private const int MaxSignInBytes = 8192;

    public const string CookieName = "custody_console";
    public const string CsrfHeader = "X-Custody-CSRF";
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly Dictionary<string, string> Assets = new(StringComparer.Ordinal)
    {
        ["/"] = "index.html", ["/app.js"] = "app.js", ["/console.css"] = "console.css",
    };

    public static void Map(WebApplication app, int port, bool tls, int sessionMinutes, RelyingParty? passkeys)
    {
        var sessions = new ConsoleSessions(TimeSpan.FromMinutes(sessionMinutes), app.Services.GetRequiredService<TimeProvider>());
        var site = new ConsoleSite(port, tls, Path.Combine(AppContext.BaseDirectory, "console"), sessions, passkeys);
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
        if (path == "/session/challenge")
        {
            await ChallengeAsync(http).ConfigureAwait(false);
            return;
        }
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
        // The API call itself, as the session's token or passkey identity: any Authorization the page sent is replaced or dropped.
        if (session.Identity is { } identity)
        {
            request.Headers.Remove("Authorization");
            ConsoleIdentity.Attach(http, identity);
        }
        else
        {
            request.Headers.Authorization = "Bearer " + session.Token;
        }
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
        if (SignInOriginRefusal(request) is { } foreign)
        {
            await ProblemAsync(http, StatusCodes.Status403Forbidden, foreign).ConfigureAwait(false);
            return;
        }
        JsonElement body;
        try
        {
            if (request.ContentLength is null or > MaxSignInBytes) throw new JsonException();
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            body = default;
        }
        var signedIn = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("passkey", out var passkey)
            ? await PasskeySignInAsync(http, passkey).ConfigureAwait(false)
            : await TokenSignInAsync(http, body).ConfigureAwait(false);
        if (signedIn is null) return;
        if (session is not null) sessions.Close(session.Id); // a new sign-in never reuses an id the browser had (session fixation)
        http.Response.Cookies.Append(CookieName, signedIn.Id, CookieOptions(sessions.Lifetime));
        await Results.Json(Describe(signedIn)).ExecuteAsync(http).ConfigureAwait(false);
    }

    /// <summary>
    /// Sign-in has no session yet: a login CSRF (or a challenge fetched for another site's page) is stopped by
    /// the Origin check, since browsers send Origin on every POST.
    /// </summary>
    private static string? SignInOriginRefusal(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin == $"{request.Scheme}://{request.Host}") return null;
        return origin.Length == 0 ? "sign-in needs an Origin header" : $"origin '{origin}' is not the console's";
    }

    /// <summary>The session of a valid API token in the body, or null once the refusal is answered.</summary>
    private async Task<ConsoleSession?> TokenSignInAsync(HttpContext http, JsonElement body)
    {
        var secret = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (string.IsNullOrWhiteSpace(secret))
        {
            await ProblemAsync(http, StatusCodes.Status400BadRequest,
                $"token: sign-in needs a JSON body {{\"token\": \"...\"}} or {{\"passkey\": {{...}}}} of at most {MaxSignInBytes} bytes").ConfigureAwait(false);
            return null;
        }
        ApiToken token;
        try
        {
            token = await http.RequestServices.GetRequiredService<TokenAuthenticator>().AuthenticateAsync("Bearer " + secret, http.RequestAborted).ConfigureAwait(false);
        }
        catch (ApiException e)
        {
            await ProblemAsync(http, StatusCodes.Status401Unauthorized, "sign-in refused: " + e.Message).ConfigureAwait(false);
            return null;
        }
        return sessions.Open(secret, token.Principal, token.Roles);
    }

    /// <summary>
    /// An approver's passkey sign-in: the assertion answers a challenge this console issued (once, unexpired),
    /// and the ledger verifies it against the approver whose credential id it names, moving the counter with
    /// its audit record. The session is that approver's, with the approver role only.
    /// </summary>
    private async Task<ConsoleSession?> PasskeySignInAsync(HttpContext http, JsonElement passkey)
    {
        if (passkeys is null)
        {
            await ProblemAsync(http, StatusCodes.Status400BadRequest, "passkey: passkey sign-in is off (no Passkeys:RpId and Passkeys:Origins configured)").ConfigureAwait(false);
            return null;
        }
        byte[] credentialId;
        WebAuthnAssertion assertion;
        try
        {
            credentialId = Bytes(passkey, "credentialId");
            assertion = WebAuthnAssertion.Parse(Bytes(passkey, "authenticatorData"), Bytes(passkey, "clientDataJson"), Bytes(passkey, "signature"));
        }
        catch (InvalidInputException e)
        {
            await ProblemAsync(http, StatusCodes.Status400BadRequest, e.Message).ConfigureAwait(false);
            return null;
        }
        // The signature covers clientDataJSON, so the challenge it names is the one the authenticator answered.
        if (!sessions.TakeChallenge(assertion.Client.Challenge))
        {
            await ProblemAsync(http, StatusCodes.Status401Unauthorized, "sign-in refused: the challenge is unknown, used or expired: ask for a new one").ConfigureAwait(false);
            return null;
        }
        var outcome = await http.RequestServices.GetRequiredService<ILedger>().Policy
            .SignInWithPasskeyAsync(credentialId, assertion, assertion.Client.Challenge.ToArray(), http.RequestAborted).ConfigureAwait(false);
        if (outcome.ApproverId is not { } approver)
        {
            await ProblemAsync(http, StatusCodes.Status401Unauthorized, "sign-in refused: " + outcome.Refusal).ConfigureAwait(false);
            return null;
        }
        return sessions.Open(null, approver, Roles.Approver);
    }

    /// <summary>A base64 member of the passkey object; a missing or malformed one names itself.</summary>
    private static byte[] Bytes(JsonElement passkey, string name)
    {
        if (passkey.ValueKind != JsonValueKind.Object || !passkey.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
            throw new InvalidInputException("passkey." + name, "missing: a passkey sign-in is {credentialId, authenticatorData, clientDataJson, signature}, each base64");
        try
        {
            return Convert.FromBase64String(value.GetString()!);
        }
        catch (FormatException)
        {
            throw new InvalidInputException("passkey." + name, "not base64");
        }
    }

    /// <summary>POST: a fresh sign-in challenge and the RP ID to ask the browser's authenticator with.</summary>
    private async Task ChallengeAsync(HttpContext http)
    {
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            await ProblemAsync(http, StatusCodes.Status405MethodNotAllowed, "session/challenge: POST").ConfigureAwait(false);
            return;
        }
        if (SignInOriginRefusal(http.Request) is { } foreign)
        {
            await ProblemAsync(http, StatusCodes.Status403Forbidden, foreign).ConfigureAwait(false);
            return;
        }
        if (passkeys is null)
        {
            await ProblemAsync(http, StatusCodes.Status404NotFound, "passkey sign-in is off (no Passkeys:RpId and Passkeys:Origins configured)").ConfigureAwait(false);
            return;
        }
        if (sessions.IssueChallenge() is not { } challenge)
        {
            await ProblemAsync(http, StatusCodes.Status503ServiceUnavailable, "too many sign-in challenges outstanding: try again in a minute").ConfigureAwait(false);
            return;
        }
        await Results.Json(new
        {
            challenge = Base64Url.EncodeToString(challenge),
            rpId = passkeys.RpId,
            timeoutMs = (int)ConsoleSessions.ChallengeLifetime.TotalMilliseconds,
        }).ExecuteAsync(http).ConfigureAwait(false);
    }

    private CookieOptions CookieOptions(TimeSpan maxAge) => new()
    {
        HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = tls, Path = "/", MaxAge = maxAge, IsEssential = true,
    };

    private static object Describe(ConsoleSession session) =>
        new { principal = session.Principal, roles = session.Roles.ToString(), passkey = session.Token is null, csrf = session.Csrf, expiresAt = session.ExpiresAt };

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
