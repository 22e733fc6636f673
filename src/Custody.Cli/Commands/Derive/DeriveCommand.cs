using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Custody.Core;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip39;
using Custody.Core.Hd.Slip10;

namespace Custody.Cli;

/// <summary>
/// custody-admin derive: the public key and address at a path of a BIP39 wallet, for
/// checking a backup or a deposit address against another wallet. Secrets come from files.
/// </summary>
internal static class DeriveCommand
{
    private const int MaxMnemonicFileBytes = 4096;
    private const int MaxPassphraseFileBytes = 64 * 1024;

    public static Command Create()
    {
        var mnemonicFile = new Option<string>("--mnemonic-file")
        {
            Description = "File holding the BIP39 English mnemonic (read, then cleared from memory)",
            Required = true,
        };
        var passphraseFile = new Option<string?>("--passphrase-file") { Description = "File holding the BIP39 passphrase (default: empty)" };
        var chain = new Option<string>("--chain")
        {
            Description = "btc, btc-testnet, btc-regtest, ltc, ltc-testnet, doge, eth, evm:<chainId>, trx or sol",
            Required = true,
        };
        var path = new Option<string>("--path") { Description = "Derivation path, e.g. m/84'/0'/0'/0/0 (h or ' marks hardened)", Required = true };
        var kind = new Option<string?>("--kind") { Description = "Bitcoin address kind: p2pkh, p2sh-p2wpkh, p2wpkh or p2tr (default: from the path's purpose)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };

        var command = new Command("derive", "Show the public key and address at a derivation path of a mnemonic");
        command.Options.Add(mnemonicFile);
        command.Options.Add(passphraseFile);
        command.Options.Add(chain);
        command.Options.Add(path);
        command.Options.Add(kind);
        command.Options.Add(json);
        command.SetAction(parse => Run(
            parse.GetValue(mnemonicFile)!,
            parse.GetValue(passphraseFile),
            parse.GetValue(chain)!,
            parse.GetValue(path)!,
            parse.GetValue(kind),
            parse.GetValue(json)));
        return command;
    }

    private static int Run(string mnemonicFile, string? passphraseFile, string chainId, string pathText, string? kindText, bool json)
    {
        // Everything public is checked before a secret is read.
        var chain = ChainRegistry.Get(chainId);
        var path = KeyPath.Parse(pathText);
        var kind = AddressKind(chain, path, kindText);
        if (chain.Curve == KeyCurve.Ed25519) Ed25519ExtendedKey.RequireHardened(path);

        byte[] publicKey;
        char[]? mnemonicText = null, passphrase = null;
        try
        {
            mnemonicText = SecretFile.ReadText(mnemonicFile, "mnemonic", MaxMnemonicFileBytes);
            passphrase = passphraseFile is null ? [] : SecretFile.ReadText(passphraseFile, "passphrase", MaxPassphraseFileBytes);
            using var mnemonic = Mnemonic.Parse(mnemonicText);
            using var seed = mnemonic.ToSeed(passphrase);
            using var keys = new HdKeyRing(seed, chain.Curve);
            publicKey = keys.GetPublicKey(path);
        }
        finally
        {
            SecretFile.Clear(mnemonicText);
            SecretFile.Clear(passphrase);
        }

        var address = ChainAddresses.Derive(chain, publicKey, kind);
        var kindName = kind is { } k ? BitcoinAddressKindNames.Name(k) : null;
        if (json)
            PrintJson(chain, path, publicKey, address, kindName);
        else
        {
            Console.Out.WriteLine($"{chain.Id} {path}{(kindName is null ? "" : $" ({kindName})")}");
            Console.Out.WriteLine($"  public key  {Convert.ToHexStringLower(publicKey)}");
            Console.Out.WriteLine($"  address     {address}");
        }
        return CliRunner.Ok;
    }

    // --kind, else the kind the path's purpose fixes where the chain has kinds (44' → p2pkh, 49' → p2sh-p2wpkh, 84' → p2wpkh, 86' → p2tr).
    private static BitcoinAddressKind? AddressKind(Chain chain, KeyPath path, string? kindText)
    {
        if (kindText is null) return chain.Family.AddressKindOf(path);
        var kind = BitcoinAddressKindNames.Parse(kindText);
        DerivationScheme.RequireAddressKinds(chain);
        return kind;
    }

    private static void PrintJson(Chain chain, KeyPath path, byte[] publicKey, string address, string? kind)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("chain", chain.Id);
            writer.WriteString("path", path.ToString());
            if (kind is not null) writer.WriteString("kind", kind);
            writer.WriteString("publicKey", Convert.ToHexStringLower(publicKey));
            writer.WriteString("address", address);
            writer.WriteEndObject();
        }
        stdout.Write("\n"u8);
    }
}
