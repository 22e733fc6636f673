using System.CommandLine;
using Custody.Core;
using Custody.Hsm;

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
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failure;
        }
    }
}

/// <summary>A failure the operator should read as one line: the message is the whole story.</summary>
internal sealed class CliException(string message, int exitCode = CliRunner.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
