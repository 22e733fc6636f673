using System.CommandLine;

namespace Custody.Cli.Address;

/// <summary>custody-admin address next: the lowest index never handed out on the branch, now handed out.</summary>
internal static class NextCommand
{
    public static Command Create()
    {
        var command = new Command("next", "The next unused address of a wallet");
        var options = AddressOptions.AddTo(command);
        command.SetAction(parse =>
        {
            var request = options.Request(parse);
            request.NextUnused = true;
            return options.Run(parse, request);
        });
        return command;
    }
}
