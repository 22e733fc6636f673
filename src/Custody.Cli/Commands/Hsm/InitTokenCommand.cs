using System.CommandLine;
using Custody.Hsm;

namespace Custody.Cli.Hsm;

/// <summary>
/// custody-admin hsm init-token: creates a token through PKCS#11 (C_InitToken, SO login, C_InitPIN) with
/// PINs read from files, so they never appear on a command line (softhsm2-util and pkcs11-tool take
/// them as arguments, visible in /proc to every local user). Leaves an existing token alone.
/// </summary>
internal static class InitTokenCommand
{
    public static Command Create()
    {
        var label = new Option<string>("--label") { Description = "Label of the new token (up to 32 bytes)", Required = true };
        var soPin = new Option<string>("--so-pin-file") { Description = "File holding the security-officer PIN (mode 0600)", Required = true };
        var userPin = new Option<string>("--user-pin-file") { Description = "File holding the user PIN (mode 0600)", Required = true };
        var module = new Option<string>("--module") { Description = "PKCS#11 module", DefaultValueFactory = _ => HsmOptions.SoftHsmModulePath };
        var config = new Option<string?>("--softhsm-conf") { Description = "SoftHSM configuration to use (sets SOFTHSM2_CONF for the module)" };

        var command = new Command("init-token", "Create a token in a free slot, PINs read from files");
        foreach (var option in new Option[] { label, soPin, userPin, module, config })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            var options = new HsmOptions
            {
                ModulePath = parse.GetValue(module)!,
                SoftHsmConfigPath = parse.GetValue(config),
                TokenLabel = parse.GetValue(label)!,
                UserPin = PinSource.FromFile(parse.GetValue(userPin)!),
            };
            var created = HsmProvisioning.InitializeTokenIfMissing(options, PinSource.FromFile(parse.GetValue(soPin)!));
            Console.WriteLine(created ? $"token '{options.TokenLabel}' created" : $"token '{options.TokenLabel}' already exists; left unchanged");
            return CliRunner.Ok;
        });
        return command;
    }
}
