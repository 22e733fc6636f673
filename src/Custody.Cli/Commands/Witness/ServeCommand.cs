using System.CommandLine;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Custody.Core;
using Custody.Core.Audit;
using Custody.Core.Audit.Notes;
using Custody.Core.Audit.Witness;
using Custody.Core.Crypto;
using Custody.Storage.Witness;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Custody.Cli.Witness;

/// <summary>
/// custody-admin witness serve: a small C2SP tlog-witness for one Custody audit log, to run outside
/// the installation (another host, another operator). <c>POST /add-checkpoint</c> as the protocol
/// says, answering with the witness's signature line over the checkpoint; <c>GET /checkpoint</c>
/// returns the newest checkpoint it holds (the spec leaves reading a witness open; this is what
/// <c>audit verify --witness</c> reads). Its state is a witness file (<see cref="WitnessFile"/>) in
/// the data directory, beside its Ed25519 key (created at the first start, mode 0600) and the
/// key's verifier text (witness.vkey), which the daemon's Audit:Witnesses entry names as Key.
/// </summary>
internal static class ServeCommand
{
    public const string KeyFile = "witness.key";
    public const string VerifierKeyFile = "witness.vkey";
    public const string StateFile = "checkpoints.jsonl";

    /// <summary>A request is a size line, at most 63 proof lines and a checkpoint: far below this.</summary>
    private const int MaxRequestBytes = 64 * 1024;

    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "The witness's own directory: key, verifier key and the checkpoints it accepted (created if missing)", Required = true };
        var listen = new Option<string>("--listen") { Description = "Address and port to serve on, e.g. 127.0.0.1:7480 (put TLS in front to serve beyond the host)", Required = true };
        var logKey = new Option<string>("--log-key") { Description = "File holding the audit log's verifier key (the installation's audit.vkey)", Required = true };
        var name = new Option<string>("--name") { Description = "The witness's key name in its signatures", DefaultValueFactory = _ => "custody-witness" };
        var command = new Command("serve", "Serve a C2SP tlog-witness for one Custody audit log");
        command.Options.Add(dataDir);
        command.Options.Add(listen);
        command.Options.Add(logKey);
        command.Options.Add(name);
        command.SetAction((parse, cancel) => RunAsync(parse.GetValue(dataDir)!, parse.GetValue(listen)!, parse.GetValue(logKey)!, parse.GetValue(name)!, cancel));
        return command;
    }

    private static async Task<int> RunAsync(string dataDir, string listen, string logKeyFile, string name, CancellationToken cancellationToken)
    {
        var endpoint = IPEndPoint.TryParse(listen, out var parsed) && parsed.Port > 0 ? parsed
            : throw new CliException($"--listen {listen}: expected ADDRESS:PORT, e.g. 127.0.0.1:7480", CliRunner.UsageError);
        var logKey = NoteVerifierKey.Parse(File.ReadAllText(logKeyFile).Trim());
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dataDir);
        else Directory.CreateDirectory(dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var signer = LoadOrCreateKey(dataDir, name);
        var state = new WitnessFile(Path.Combine(dataDir, StateFile), logKey);
        var one = new Lock();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole(console => console.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBytes;
            kestrel.Listen(endpoint, l => l.Protocols = HttpProtocols.Http1AndHttp2);
        });
        await using var app = builder.Build();
        app.MapPost("/add-checkpoint", async (HttpRequest request) =>
        {
            string body;
            using (var reader = new StreamReader(request.Body, Encoding.UTF8))
                body = await reader.ReadToEndAsync(request.HttpContext.RequestAborted).ConfigureAwait(false);
            AddCheckpointRequest add;
            try
            {
                add = AddCheckpointRequest.Parse(body);
            }
            catch (InvalidInputException e)
            {
                return Results.Text(e.Message + "\n", "text/plain", statusCode: StatusCodes.Status400BadRequest);
            }
            WitnessVerdict verdict;
            long held;
            string reason;
            lock (one) (verdict, held, reason) = state.Add(add);
            return verdict switch
            {
                WitnessVerdict.Accepted => Results.Text(Cosignature(add.Note, signer), "text/plain; charset=utf-8"),
                WitnessVerdict.Conflict when add.OldSize != held => Results.Text($"{held}\n", "text/x.tlog.size", statusCode: StatusCodes.Status409Conflict),
                _ => Results.Text(reason + "\n", "text/plain; charset=utf-8", statusCode: WitnessRules.HttpStatus(verdict)),
            };
        });
        app.MapGet("/checkpoint", () => state.LatestNote() is { } note
            ? Results.Text(note, "text/plain; charset=utf-8")
            : Results.Text("no checkpoint yet\n", "text/plain", statusCode: StatusCodes.Status404NotFound));

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        Console.Out.WriteLine($"Listening on http://{endpoint}: witness {NoteVerifierKey.For(signer)} of log {logKey.Name}+{logKey.KeyId:x8}");
        Console.Out.Flush();
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return CliRunner.Ok;
    }

    /// <summary>The witness's signature line over the checkpoint body (a signed-note signature of its key).</summary>
    private static string Cosignature(string note, ICheckpointSigner signer)
    {
        var signed = SignedNote.Sign(SignedNote.Parse(note).Text, signer).ToString();
        return signed[(signed.LastIndexOf("\n\n", StringComparison.Ordinal) + 2)..];
    }

    /// <summary>The witness key: 32 random bytes in a 0600 file written at the first start, its verifier key beside it.</summary>
    private static Ed25519CheckpointSigner LoadOrCreateKey(string dataDir, string name)
    {
        var keyPath = Path.Combine(dataDir, KeyFile);
        if (!File.Exists(keyPath))
        {
            var fresh = PinnedArray.Allocate(Ed25519.KeySize);
            RandomNumberGenerator.Fill(fresh);
            try
            {
                using (var stream = OwnerOnlyFile.CreateNew(keyPath)) stream.Write(fresh);
                using var created = new Ed25519CheckpointSigner(name, fresh);
                File.WriteAllText(Path.Combine(dataDir, VerifierKeyFile), NoteVerifierKey.For(created) + "\n");
            }
            finally
            {
                CryptographicOperations.ZeroMemory(fresh);
            }
        }
        var seed = PinnedArray.Allocate(Ed25519.KeySize);
        try
        {
            using var stream = File.OpenRead(keyPath);
            if (stream.Length != Ed25519.KeySize) throw new CliException($"{keyPath} does not hold a {Ed25519.KeySize}-byte Ed25519 key");
            stream.ReadExactly(seed);
            return new Ed25519CheckpointSigner(name, seed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }
}
