using System.CommandLine;
using Custody.Cli.Ceremony;

namespace Custody.Cli.Kek;

/// <summary>
/// custody-admin kek rotate: a new KEK version, every sealed seed resealed under it in one
/// transaction, the old version destroyed after verification (see <see cref="KekRotation"/>
/// for the states and why an interrupted run is safe to repeat).
/// </summary>
internal static class RotateCommand
{
    public static Command Create()
    {
        var dataDir = CeremonyCommand.DataDir();
        var module = CeremonyCommand.Module();
        var op = CeremonyCommand.Operator();
        var command = new Command("rotate", "Create a new KEK, reseal every wallet seed under it, destroy the old KEK");
        foreach (var option in new Option[] { dataDir, module, op })
            command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var installation = Installation.Open(parse.GetValue(dataDir)!, parse.GetValue(module)!);
            await using var audit = CeremonyAudit.Open(installation, parse.GetValue(op)!);
            var rotation = new KekRotation(installation.Hsm, installation.Wallets, audit.Principal,
                (action, details) => audit.RecordAsync(action, null, details), Console.Error);
            try
            {
                var outcome = await rotation.RunAsync().ConfigureAwait(false);
                Console.Out.WriteLine(
                    $"kek: v{outcome.To}; {outcome.Resealed} seeds resealed; destroyed {(outcome.Destroyed.Count == 0 ? "none" : string.Join(", ", outcome.Destroyed.Select(v => $"v{v}")))}" +
                    (outcome.Resumed ? " (finished an interrupted rotation)" : ""));
                return CliRunner.Ok;
            }
            catch (Exception e)
            {
                await audit.RecordFailureAsync(Custody.Core.Audit.AuditActions.KekRotateFailed, e).ConfigureAwait(false);
                throw;
            }
        });
        return command;
    }
}
