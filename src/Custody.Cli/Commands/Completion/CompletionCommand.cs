using System.CommandLine;

namespace Custody.Cli.Completion;

/// <summary>
/// custody-admin completion bash: a bash completion script that asks custody-admin itself what may
/// come next (System.CommandLine's [suggest] directive), so it knows every verb and option of the
/// build it runs with. Install: custody-admin completion bash > /etc/bash_completion.d/custody-admin
/// </summary>
internal static class CompletionCommand
{
    public const string Bash = """
        # bash completion for custody-admin (custody-admin completion bash)
        _custody_admin_complete() {
          local IFS=$'\n'
          COMPREPLY=( $(compgen -W "$("${COMP_WORDS[0]}" "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}") )
        }
        complete -o default -F _custody_admin_complete custody-admin

        """;

    public static Command Create()
    {
        var command = new Command("completion", "Print a shell completion script");
        var shell = new Argument<string>("shell") { Description = "bash" };
        shell.AcceptOnlyFromAmong("bash");
        command.Arguments.Add(shell);
        command.SetAction(_ =>
        {
            Console.Out.Write(Bash.ReplaceLineEndings("\n"));
            return CliRunner.Ok;
        });
        return command;
    }
}
