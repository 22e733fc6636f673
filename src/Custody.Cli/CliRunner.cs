using System.CommandLine;
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
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                Console.Error.WriteLine($"error: {error.Message}");
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
        var reason = e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason;
        var detail = string.Join(' ', e.Status.Detail.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return (reason is null or "" ? status : $"{status} {reason}") + (detail.Length > 0 ? $": {detail}" : "");
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
