using System.CommandLine;

namespace Custody.Cli.Address;

/// <summary>custody-admin address derive: the address at an index (marked used, so "next" moves past it).</summary>
internal static class DeriveCommand
{
    public static Command Create()
    {
        var command = new Command("derive", "The address of a wallet at an index");
        var options = AddressOptions.AddTo(command);
        var index = new Option<uint>("--index") { Description = "The address index (below 2^31)", Required = true };
        command.Options.Add(index);
        command.SetAction(parse =>
        {
            var request = options.Request(parse);
            request.Index = parse.GetValue(index);
            return options.Run(parse, request);
        });
        return command;
    }
}
