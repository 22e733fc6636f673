using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Google.Api;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.Core;

namespace Custody.Daemon.Tests;

/// <summary>
/// Calls any rpc over HTTP/JSON as a plain HTTP client would: the route and verb from the rpc's
/// google.api.http annotation, path variables from the request, the other fields as the JSON body
/// (body "*") or query parameters. A refusal comes back as google.rpc.Status JSON; it is turned into
/// the RpcException a gRPC client would have seen, after checking that the HTTP status is the one
/// the gRPC code maps to, so tests assert on both transports alike.
/// </summary>
internal sealed class HttpJson(HttpClient http)
{
    private static readonly TypeRegistry Details = TypeRegistry.FromMessages(ErrorInfo.Descriptor, BadRequest.Descriptor);
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithTypeRegistry(Details));

    public static HttpJson ForPort(int port) => new(new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") });

    /// <summary>The HTTP status the google.rpc codes map to (google/rpc/code.proto), as transcoding answers.</summary>
    public static HttpStatusCode HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.OK => HttpStatusCode.OK,
        StatusCode.Cancelled => (HttpStatusCode)499,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => HttpStatusCode.BadRequest,
        StatusCode.DeadlineExceeded => HttpStatusCode.GatewayTimeout,
        StatusCode.NotFound => HttpStatusCode.NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => HttpStatusCode.Conflict,
        StatusCode.PermissionDenied => HttpStatusCode.Forbidden,
        StatusCode.Unauthenticated => HttpStatusCode.Unauthorized,
        StatusCode.ResourceExhausted => HttpStatusCode.TooManyRequests,
        StatusCode.Unimplemented => HttpStatusCode.NotImplemented,
        StatusCode.Unavailable => HttpStatusCode.ServiceUnavailable,
        _ => HttpStatusCode.InternalServerError,
    };

    public static HttpRule? RuleOf(MethodDescriptor method) => method.GetOptions()?.GetExtension(AnnotationsExtensions.Http);

    /// <summary>The reply, and the response headers (custody-replayed, ...).</summary>
    public async Task<(T Reply, HttpResponseHeaders Headers)> CallAsync<T>(MethodDescriptor method, IMessage request, string? token) where T : IMessage
    {
        var (reply, headers) = await CallAsync(method, request, token);
        return ((T)reply, headers);
    }

    public async Task<(IMessage Reply, HttpResponseHeaders Headers)> CallAsync(MethodDescriptor method, IMessage request, string? token)
    {
        using var message = Request(method, request);
        if (token is not null) message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(message);
        var json = await response.Content.ReadAsStringAsync();
        if (response.IsSuccessStatusCode) return (Parser.Parse(json, method.OutputType), response.Headers);
        var status = Parser.Parse<Google.Rpc.Status>(json);
        var code = (StatusCode)status.Code;
        Assert.True(HttpStatusOf(code) == response.StatusCode, $"{ServedRpcs.FullName(method)}: {code} came as HTTP {(int)response.StatusCode}: {json}");
        throw status.ToRpcException();
    }

    /// <summary>The binding whose path variables the request fills (GetPolicy with no wallet: /v1/policy).</summary>
    private static HttpRequestMessage Request(MethodDescriptor method, IMessage request)
    {
        var rule = RuleOf(method) ?? throw new InvalidOperationException($"{ServedRpcs.FullName(method)} has no google.api.http route");
        foreach (var binding in new[] { rule }.Concat(rule.AdditionalBindings))
        {
            var (verb, template) = Route(binding);
            var variables = System.Text.RegularExpressions.Regex.Matches(template, @"\{(\w+)\}").Select(m => m.Groups[1].Value).ToList();
            var fields = variables.Select(v => method.InputType.FindFieldByName(v)).ToList();
            if (fields.Any(f => !HasValue(f, request))) continue;

            var rest = request.Descriptor.Parser.ParseFrom(request.ToByteString());
            var path = template;
            foreach (var field in fields)
            {
                path = path.Replace("{" + field.Name + "}", Uri.EscapeDataString(Text(field, field.Accessor.GetValue(request))), StringComparison.Ordinal);
                field.Accessor.Clear(rest);
            }
            if (binding.Body == "*")
            {
                return new HttpRequestMessage(verb, path) { Content = new StringContent(Formatter.Format(rest), Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
            }
            var query = rest.Descriptor.Fields.InDeclarationOrder().Where(f => HasValue(f, rest))
                .Select(f => $"{f.JsonName}={Uri.EscapeDataString(Text(f, f.Accessor.GetValue(rest)))}").ToList();
            return new HttpRequestMessage(verb, query.Count == 0 ? path : path + "?" + string.Join('&', query));
        }
        throw new InvalidOperationException($"no route of {ServedRpcs.FullName(method)} fits {request}");
    }

    private static (HttpMethod, string) Route(HttpRule rule) => rule.PatternCase switch
    {
        HttpRule.PatternOneofCase.Get => (HttpMethod.Get, rule.Get),
        HttpRule.PatternOneofCase.Post => (HttpMethod.Post, rule.Post),
        HttpRule.PatternOneofCase.Put => (HttpMethod.Put, rule.Put),
        HttpRule.PatternOneofCase.Delete => (HttpMethod.Delete, rule.Delete),
        HttpRule.PatternOneofCase.Patch => (HttpMethod.Patch, rule.Patch),
        _ => throw new InvalidOperationException($"unexpected route {rule}"),
    };

    private static bool HasValue(FieldDescriptor field, IMessage message) =>
        field.HasPresence ? field.Accessor.HasValue(message)
        : field.FieldType == FieldType.Enum ? Convert.ToInt32(field.Accessor.GetValue(message), System.Globalization.CultureInfo.InvariantCulture) != 0
        : !Equals(field.Accessor.GetValue(message), Default(field));

    private static object? Default(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.String => "",
        FieldType.Bool => false,
        FieldType.Bytes => ByteString.Empty,
        FieldType.UInt64 or FieldType.Fixed64 => 0UL,
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => 0L,
        FieldType.UInt32 or FieldType.Fixed32 => 0U,
        FieldType.Message => null,
        _ => 0,
    };

    /// <summary>A scalar as proto3 JSON writes it, without quotes: enums by name, bytes base64.</summary>
    private static string Text(FieldDescriptor field, object? value) => value switch
    {
        ByteString bytes => bytes.ToBase64(),
        bool b => b ? "true" : "false",
        Enum e => field.EnumType.FindValueByNumber(Convert.ToInt32(e, System.Globalization.CultureInfo.InvariantCulture)).Name,
        IFormattable number => number.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "",
    };
}
