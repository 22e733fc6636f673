using System.CommandLine;
using Custody.Core;
using Custody.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace Custody.Cli;

/// <summary>
/// The options every daemon-backed verb shares (--endpoint, --token-file, --json), defined once, and
/// the connection they describe. The bearer token is read from a file, never argv, and never printed.
/// </summary>
internal sealed class DaemonClient : IDisposable
{
    public const string DefaultEndpoint = "http://127.0.0.1:7443";
    private const int MaxTokenFileBytes = 4096;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    /// <summary>proto3 JSON, as the HTTP/JSON API answers.</summary>
    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithIndentation());

    private readonly GrpcChannel channel;
    private readonly Metadata headers;

    private DaemonClient(GrpcChannel channel, string token)
    {
        this.channel = channel;
        headers = new Metadata { { "authorization", "Bearer " + token } };
    }

    /// <summary>The endpoint of the last connection, to name it when it cannot be reached.</summary>
    public static string? LastEndpoint { get; private set; }

    public PolicyService.PolicyServiceClient Policy => new(channel);

    public WalletService.WalletServiceClient Wallets => new(channel);

    public SigningService.SigningServiceClient Signing => new(channel);

    public AuditService.AuditServiceClient Audit => new(channel);

    /// <summary>Per-call options: the bearer token and a deadline, so a hung daemon does not hang the operator.</summary>
    public CallOptions Call => new(headers, DateTime.UtcNow + CallTimeout);

    public void Dispose() => channel.Dispose();

    /// <summary>The reply as proto3 JSON on stdout (--json), or <paramref name="human"/>'s lines.</summary>
    public static void Print(bool json, IMessage reply, Action human)
    {
        if (json) Console.Out.WriteLine(Json.Format(reply));
        else human();
    }

    /// <summary>The connection options, added to <paramref name="command"/>.</summary>
    public sealed record Options(Option<string> Endpoint, Option<string> TokenFile, Option<bool> JsonOutput)
    {
        /// <param name="json">Whether the verb prints data that --json can give as the reply's JSON.</param>
        public static Options AddTo(Command command, bool json = true)
        {
            var endpoint = new Option<string>("--endpoint")
            {
                Description = "The daemon's gRPC address (its Port)",
                DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CUSTODY_ENDPOINT") is { Length: > 0 } e ? e : DefaultEndpoint,
            };
            var tokenFile = new Option<string>("--token-file")
            {
                Description = "File holding the API bearer token (read from a file so it never appears in argv or shell history); default $CUSTODY_TOKEN_FILE",
                DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CUSTODY_TOKEN_FILE") ?? "",
            };
            var jsonOption = new Option<bool>("--json") { Description = "Print the daemon's reply as JSON (the HTTP/JSON API's form)" };
            command.Options.Add(endpoint);
            command.Options.Add(tokenFile);
            if (json) command.Options.Add(jsonOption);
            return new Options(endpoint, tokenFile, jsonOption);
        }

        public bool Json(ParseResult parse) => parse.GetValue(JsonOutput);

        public DaemonClient Connect(ParseResult parse)
        {
            var address = parse.GetValue(Endpoint)!;
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new InvalidInputException("endpoint", "expected an http:// or https:// URL");
            var tokenFile = parse.GetValue(TokenFile);
            if (string.IsNullOrEmpty(tokenFile))
                throw new CliException("give --token-file FILE (or set CUSTODY_TOKEN_FILE): the file holding your API token", CliRunner.UsageError);
            var token = ReadToken(tokenFile);
            LastEndpoint = address;
            return new DaemonClient(GrpcChannel.ForAddress(uri), token);
        }

        private static string ReadToken(string path)
        {
            var file = new FileInfo(path);
            if (!file.Exists) throw new CliException($"token file '{path}' does not exist");
            if (file.Length > MaxTokenFileBytes) throw new CliException($"token file '{path}' is larger than {MaxTokenFileBytes} bytes; is it the right file?");
            var token = File.ReadAllText(path).Trim();
            if (token.Length == 0) throw new CliException($"token file '{path}' is empty");
            if (token.Any(char.IsWhiteSpace)) throw new CliException($"token file '{path}' holds more than one word; it should hold only the token");
            return token;
        }
    }
}
