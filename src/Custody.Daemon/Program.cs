using Custody.Core;
using Custody.Daemon;
using Custody.Daemon.Configuration;

try
{
    var commandLine = CommandLine.Parse(args);
    // Neither needs a data directory nor reads any configuration.
    if (commandLine.Help)
    {
        await Console.Out.WriteAsync(CommandLine.HelpText(BuildVersion.Of(typeof(DaemonHost).Assembly))).ConfigureAwait(false);
        return 0;
    }
    if (commandLine.Version)
    {
        await Console.Out.WriteLineAsync($"custodyd {BuildVersion.Of(typeof(DaemonHost).Assembly)}").ConfigureAwait(false);
        return 0;
    }
    await DaemonHost.Build(commandLine).RunAsync().ConfigureAwait(false);
    return 0;
}
catch (StartupException e)
{
    foreach (var line in e.Message.Split('\n'))
        await Console.Error.WriteLineAsync($"custodyd: {line}").ConfigureAwait(false);
    return e.ExitCode;
}
