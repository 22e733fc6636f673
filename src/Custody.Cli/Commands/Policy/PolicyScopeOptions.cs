using System.CommandLine;

namespace Custody.Cli.Policy;

/// <summary>--wallet ID or --global: exactly one, so an omitted wallet never silently means "everything".</summary>
internal sealed record PolicyScopeOptions(Option<string> Wallet, Option<bool> Global)
{
    public static PolicyScopeOptions AddTo(Command command)
    {
        var wallet = new Option<string>("--wallet") { Description = "The wallet id" };
        var global = new Option<bool>("--global") { Description = "The global default (needs a token not limited to some wallets)" };
        command.Options.Add(wallet);
        command.Options.Add(global);
        return new PolicyScopeOptions(wallet, global);
    }

    /// <summary>The wallet id, or "" for the global scope (the API's convention).</summary>
    public string WalletId(ParseResult parse)
    {
        var wallet = parse.GetValue(Wallet);
        var global = parse.GetValue(Global);
        if (global == !string.IsNullOrEmpty(wallet))
            throw new CliException("give exactly one of --wallet ID or --global", CliRunner.UsageError);
        return wallet ?? "";
    }

    public static string Describe(string walletId) => walletId.Length == 0 ? "the global policy" : $"wallet {walletId}";
}
