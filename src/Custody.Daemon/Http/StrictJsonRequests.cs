using System.Text;
using Custody.Daemon.Errors;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Custody.Daemon.Http;

/// <summary>
/// Refuses an HTTP/JSON request that names a field the rpc's message does not have, in the body
/// or the query string, or whose body is not JSON: INVALID_ARGUMENT naming the field, with the
/// ErrorInfo every refusal carries. Transcoding alone would ignore an unknown field, so a misspelt
/// one ("singer" for "signer") would leave its default in force unnoticed, as a misspelt
/// configuration key would.
/// </summary>
internal sealed class StrictJsonRequests(int maxBodyBytes)
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(
        TypeRegistry.FromMessages(Google.Rpc.ErrorInfo.Descriptor, Google.Rpc.BadRequest.Descriptor)));

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is not { } route
            || await ProblemAsync(http.Request, route.MethodDescriptor.InputType, route.HttpRule.Body).ConfigureAwait(false) is not { } problem)
        {
            await next(http).ConfigureAwait(false);
            return;
        }
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        http.Response.ContentType = "application/json; charset=utf-8";
        await http.Response.WriteAsync(Formatter.Format(problem), http.RequestAborted).ConfigureAwait(false);
    }

    private async Task<Google.Rpc.Status?> ProblemAsync(HttpRequest request, MessageDescriptor input, string body)
    {
        foreach (var key in request.Query.Keys)
        {
            if (!NamesField(input, key))
                return ErrorMapper.InvalidArgument(key, $"not a field of {input.FullName} (query parameters name fields, e.g. wallet_id or walletId)");
        }
        if (body != "*" || request.ContentLength == 0 || request.ContentLength > maxBodyBytes) return null; // transcoding refuses an oversized body
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            return ErrorMapper.InvalidArgument("Content-Type", $"'{request.ContentType}' is not application/json");

        request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: maxBodyBytes + 1L);
        string json;
        try
        {
            using var reader = new StreamReader(request.Body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
            json = await reader.ReadToEndAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (IOException)
        {
            return null; // larger than the limit: transcoding refuses it
        }
        request.Body.Position = 0;
        if (string.IsNullOrWhiteSpace(json)) return null;
        try
        {
            Parser.Parse(json, input);
            return null;
        }
        catch (InvalidProtocolBufferException e)
        {
            const string unknown = "Unknown field: ";
            return e.Message.StartsWith(unknown, StringComparison.Ordinal)
                ? ErrorMapper.InvalidArgument(e.Message[unknown.Length..], $"not a field of {input.FullName} or of a message inside it")
                : ErrorMapper.InvalidArgument("body", e.Message);
        }
        catch (InvalidJsonException e)
        {
            return ErrorMapper.InvalidArgument("body", "not JSON: " + e.Message);
        }
    }

    /// <summary>"signer.account" or "signer.account": a path of fields by proto or JSON name.</summary>
    private static bool NamesField(MessageDescriptor message, string path)
    {
        var type = message;
        foreach (var part in path.Split('.'))
        {
            var field = type?.Fields.InDeclarationOrder().FirstOrDefault(f => f.Name == part || f.JsonName == part);
            if (field is null) return false;
            type = field.FieldType == FieldType.Message ? field.MessageType : null;
        }
        return true;
    }
}
