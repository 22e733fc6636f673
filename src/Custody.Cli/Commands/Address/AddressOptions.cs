using System.CommandLine;
using Custody.Cli.Wallet;
using Custody.Core.Chains.Bitcoin;
using Custody.V1;

namespace Custody.Cli.Address;

/// <summary>What derive and next share: the wallet, chain, account, kind and branch of an address, and how it is printed.</summary>
internal sealed record AddressOptions(DaemonClient.Options Connection, Option<string> Wallet, Option<string> Chain, Option<uint> Account, Option<string> Kind, Option<bool> Change)
{
    public static AddressOptions AddTo(Command command)
    {
        var connection = DaemonClient.Options.AddTo(command);
        var wallet = WalletOption.AddTo(command);
        var chain = new Option<string>("--chain") { Description = "Chain id: btc, btc-testnet, btc-regtest, ltc, doge, eth, evm:<chainId>, trx, sol", Required = true };
        var account = new Option<uint>("--account") { Description = "BIP44 account (hardened); 0 by default" };
        var kind = new Option<string>("--kind") { Description = "Bitcoin family: p2pkh, p2sh-p2wpkh, p2wpkh (default where segwit exists) or p2tr" };
        kind.AcceptOnlyFromAmong([.. BitcoinAddressKindNames.Names]);
        var change = new Option<bool>("--change") { Description = "Bitcoin family: the internal (change) branch" };
        command.Options.Add(chain);
        command.Options.Add(account);
        command.Options.Add(kind);
        command.Options.Add(change);
        return new AddressOptions(connection, wallet, chain, account, kind, change);
    }

    public DeriveAddressRequest Request(ParseResult parse) => new()
    {
        WalletId = parse.GetValue(Wallet)!,
        Chain = parse.GetValue(Chain)!,
        Account = parse.GetValue(Account),
        Change = parse.GetValue(Change),
        Kind = parse.GetValue(Kind) is { } kind ? BitcoinAddressKindNames.Parse(kind) switch
        {
            BitcoinAddressKind.P2pkh => AddressKind.P2Pkh,
            BitcoinAddressKind.P2shP2wpkh => AddressKind.P2ShP2Wpkh,
            BitcoinAddressKind.P2wpkh => AddressKind.P2Wpkh,
            BitcoinAddressKind.P2tr => AddressKind.P2Tr,
            _ => throw new System.Diagnostics.UnreachableException(),
        } : AddressKind.Unspecified,
    };

    /// <summary>Derives; the address on stdout (path and key on stderr), or the reply as JSON.</summary>
    public int Run(ParseResult parse, DeriveAddressRequest request)
    {
        using var daemon = Connection.Connect(parse);
        var derived = daemon.Wallets.DeriveAddress(request, daemon.Call);
        DaemonClient.Print(Connection.Json(parse), derived, () =>
        {
            Console.Out.WriteLine(derived.Address);
            Console.Error.WriteLine($"{derived.Chain} {derived.DerivationPath} index {derived.Index} public key {derived.PublicKey}");
        });
        return CliRunner.Ok;
    }
}
