using System.CommandLine;
using System.CommandLine.Parsing;
using Custody.Core;
using Custody.Hsm;
using Google.Rpc;
using Grpc.Core;

namespace Custody.Cli;

/// <summary>
/// Runs the parsed command and turns every failure into one line on stderr and a
/// non-zero exit code: operators see what is wrong, never a stack trace.
/// </summary>
internal static class CliRunner
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int UsageError = 2;

    public static int Run(RootCommand root, string[] args)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        // A bare invocation is a question: what is there?
        if (args.Length == 0) return root.Parse(["--help"]).Invoke();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            var command = parse.CommandResult.Command;
            if (parse.UnmatchedTokens.Count == 0 && command.Subcommands.Count > 0 && command.Action is null)
            {
                // A group without its verb ("custody-admin wallet"): its help, as a usage error.
                Console.Error.WriteLine($"error: '{command.Name}' needs one of: {string.Join(", ", command.Subcommands.Select(c => c.Name))}");
                root.Parse([.. Path(parse.CommandResult), "--help"]).Invoke(new InvocationConfiguration { Output = Console.Error });
                return UsageError;
            }
            foreach (var error in parse.Errors)
                Console.Error.WriteLine($"error: {error.Message}");
            foreach (var token in parse.UnmatchedTokens)
            {
                if (Closest(token, token.StartsWith('-') ? command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)) : command.Subcommands.Select(c => c.Name)) is { } guess)
                    Console.Error.WriteLine($"did you mean '{guess}'?");
            }
            return UsageError;
        }
        try
        {
            // System.CommandLine would print its own "Unhandled exception" with a stack trace;
            // turn that off so the catches below give the operator one line.
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (InvalidInputException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failure;
        }
        catch (HsmException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failure;
        }
        catch (CliException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && e.Status.DebugException is { } cause && cause is HttpRequestException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine($"error: cannot reach custodyd at {DaemonClient.LastEndpoint}: {cause.GetBaseException().Message} (is it running? --endpoint is its gRPC port)");
            return Failure;
        }
        catch (RpcException e)
        {
            Console.Error.WriteLine($"error: {Describe(e)}");
            return Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failure;
        }
    }

    /// <summary>
    /// A refused daemon call as one line: the gRPC status as the API names it (PERMISSION_DENIED),
    /// the ErrorInfo reason the daemon attached, and its message (which names the line of a bad policy).
    /// </summary>
    internal static string Describe(RpcException e)
    {
        var status = StatusName(e.StatusCode);
        var info = e.GetRpcStatus()?.GetDetail<ErrorInfo>();
        var reason = info?.Reason;
        var detail = string.Join(' ', e.Status.Detail.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        // The metadata names what to act on next, e.g. the request_digest approvers need.
        var metadata = info is { Metadata.Count: > 0 } ? " [" + string.Join(", ", info.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value}")) + "]" : "";
        return (reason is null or "" ? status : $"{status} {reason}") + (detail.Length > 0 ? $": {detail}" : "") + metadata;
    }

    /// <summary>The command names from the root down to <paramref name="result"/>, without the root.</summary>
    private static IEnumerable<string> Path(CommandResult result)
    {
        var names = new Stack<string>();
        for (SymbolResult? r = result; r is CommandResult c && c.Parent is not null; r = c.Parent) names.Push(c.Command.Name);
        return names;
    }

    /// <summary>The candidate a typo most likely meant: at most a third of its letters (and at least one) away.</summary>
    internal static string? Closest(string typed, IEnumerable<string> candidates) =>
        candidates.Select(c => (Name: c, Distance: Distance(typed, c)))
            .Where(c => c.Distance <= Math.Max(1, typed.Length / 3))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal).Select(c => c.Name).FirstOrDefault();

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    /// <summary>PermissionDenied → PERMISSION_DENIED, the spelling of the gRPC spec and of the API docs.</summary>
    private static string StatusName(StatusCode code)
    {
        var name = code.ToString();
        var upper = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]) && char.IsLower(name[i - 1])) upper.Append('_');
            upper.Append(char.ToUpperInvariant(name[i]));
        }
        return upper.ToString();
    }
}

/// <summary>A failure the operator should read as one line: the message is the whole story.</summary>
internal sealed class CliException(string message, int exitCode = CliRunner.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
