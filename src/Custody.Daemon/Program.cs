using Custody.Daemon;

try
{
    await DaemonHost.Build(args).RunAsync().ConfigureAwait(false);
    return 0;
}
catch (StartupException e)
{
    await Console.Error.WriteLineAsync($"custodyd: {e.Message}").ConfigureAwait(false);
    return 1;
}
