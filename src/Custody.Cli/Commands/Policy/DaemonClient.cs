using System.CommandLine;
using Custody.Core;
using Custody.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Custody.Cli.Policy;

/// <summary>
/// The options every daemon-backed verb shares (--endpoint, --token-file, --wallet|--global) and
/// the connection they describe. The bearer token is read from a file, never argv, and never printed.
/// </summary>
internal sealed class DaemonClient : IDisposable
{
    public const string DefaultEndpoint = "http://127.0.0.1:7443";
    private const int MaxTokenFileBytes = 4096;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly GrpcChannel channel;
    private readonly Metadata headers;

    private DaemonClient(GrpcChannel channel, string token)
    {
        this.channel = channel;
        headers = new Metadata { { "authorization", "Bearer " + token } };
    }

    public PolicyService.PolicyServiceClient Policy => new(channel);

    /// <summary>Per-call options: the bearer token and a deadline, so a hung daemon does not hang the operator.</summary>
    public CallOptions Call => new(headers, DateTime.UtcNow + CallTimeout);

    public void Dispose() => channel.Dispose();

    /// <summary>The connection options, added to <paramref name="command"/>.</summary>
    public sealed record Options(Option<string> Endpoint, Option<string> TokenFile)
    {
        public static Options AddTo(Command command)
        {
            var endpoint = new Option<string>("--endpoint")
            {
                Description = "The daemon's gRPC address",
                DefaultValueFactory = _ => DefaultEndpoint,
            };
            var tokenFile = new Option<string>("--token-file")
            {
                Description = "File holding the API bearer token (read from a file so it never appears in argv or shell history)",
                Required = true,
            };
            command.Options.Add(endpoint);
            command.Options.Add(tokenFile);
            return new Options(endpoint, tokenFile);
        }

        public DaemonClient Connect(ParseResult parse)
        {
            var address = parse.GetValue(Endpoint)!;
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new InvalidInputException("endpoint", "expected an http:// or https:// URL");
            var token = ReadToken(parse.GetValue(TokenFile)!);
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
