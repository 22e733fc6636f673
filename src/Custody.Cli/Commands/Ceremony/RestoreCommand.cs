using System.CommandLine;
using Custody.Core;
using Custody.Core.Audit;
using Custody.Core.Ceremony;
using Custody.Core.Crypto;
using Custody.Core.Hd.Bip39;
using Custody.Core.Hd.Slip39;
using Spectre.Console;

namespace Custody.Cli.Ceremony;

/// <summary>
/// custody-admin ceremony restore: a wallet back from its backup — a BIP39 mnemonic (with
/// an optional passphrase, e.g. from another system) or a set of SLIP-39 shares — from
/// files named on the command line, or typed in when none are. A wrong, duplicated or
/// insufficient set is refused with one line saying which and what is missing. The seed
/// is sealed under the current KEK and stored; the record printed is the generation's.
/// </summary>
internal static class RestoreCommand
{
    private const int MaxMnemonicFileBytes = 4096;
    private const int MaxPassphraseFileBytes = 1024;

    public static Command Create()
    {
        var dataDir = CeremonyCommand.DataDir();
        var module = CeremonyCommand.Module();
        var name = CeremonyCommand.Name();
        var mnemonicFile = new Option<string?>("--mnemonic-file") { Description = "File holding a BIP39 English mnemonic" };
        var shareFiles = new Option<string[]>("--share-file")
        {
            Description = "File holding one SLIP-39 share; repeat for each share",
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => [],
        };
        var passphraseFile = new Option<string?>("--passphrase-file") { Description = "File holding the passphrase (default: none)" };
        var op = CeremonyCommand.Operator();

        var command = new Command("restore", "Restore a wallet from its BIP39 mnemonic or SLIP-39 shares (interactive when no file is given)");
        foreach (var option in new Option[] { dataDir, module, name, mnemonicFile, shareFiles, passphraseFile, op })
            command.Options.Add(option);
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(dataDir)!, parse.GetValue(module)!, parse.GetValue(name)!, parse.GetValue(mnemonicFile),
            parse.GetValue(shareFiles) ?? [], parse.GetValue(passphraseFile), parse.GetValue(op)!, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string dataDir, string module, string nameText, string? mnemonicFile, string[] shareFiles,
        string? passphraseFile, string operatorName, CancellationToken cancellationToken)
    {
        var name = Custody.Core.Ledger.WalletRecord.CheckName(nameText);
        if (mnemonicFile is not null && shareFiles.Length > 0)
            throw new CliException("give either --mnemonic-file or --share-file, not both", CliRunner.UsageError);
        var interactive = mnemonicFile is null && shareFiles.Length == 0;
        if (interactive)
        {
            if (passphraseFile is not null)
                throw new CliException("--passphrase-file goes with --mnemonic-file or --share-file; interactively the passphrase is asked for", CliRunner.UsageError);
            CustodianScreen.RequireTerminal("give --mnemonic-file FILE or --share-file FILE (repeated)");
        }

        await using var installation = Installation.Open(dataDir, module);
        await installation.RequireFreeNameAsync(name, cancellationToken).ConfigureAwait(false);
        await using var audit = CeremonyAudit.Open(installation, operatorName);
        var source = interactive ? "interactive" : mnemonicFile is not null ? "mnemonic file" : $"{shareFiles.Length} share files";
        await audit.RecordAsync(AuditActions.CeremonyRestoreStart, null, ("name", name), ("source", source)).ConfigureAwait(false);
        try
        {
            var (seed, backup) = interactive
                ? ReadInteractively()
                : mnemonicFile is not null ? FromMnemonicFile(mnemonicFile, passphraseFile) : FromShareFiles(shareFiles, passphraseFile);
            using (seed)
            {
                var record = CeremonyRecord.FromSeed(name, backup, seed);
                await installation.RequireNewFingerprintAsync(record.MasterFingerprint, cancellationToken).ConfigureAwait(false);
                var wallet = await CeremonyWallet.StoreAsync(installation, audit, "ceremony restore", name, seed, record.MasterFingerprint, cancellationToken).ConfigureAwait(false);
                await audit.RecordAsync(AuditActions.CeremonyRestoreComplete, wallet.WalletId, ("name", name), ("fingerprint", record.FingerprintHex),
                    ("kek_version", $"{wallet.KekVersion}"), ("backup", backup)).ConfigureAwait(false);
                CeremonyWallet.Print(wallet, record);
                return CliRunner.Ok;
            }
        }
        catch (Exception e)
        {
            await audit.RecordFailureAsync(AuditActions.CeremonyRestoreFailed, e).ConfigureAwait(false);
            throw;
        }
    }

    private static (SecretBytes Seed, string Backup) FromMnemonicFile(string mnemonicFile, string? passphraseFile)
    {
        char[]? text = null, passphrase = null;
        try
        {
            text = SecretFile.ReadText(mnemonicFile, "mnemonic", MaxMnemonicFileBytes);
            passphrase = passphraseFile is null ? [] : SecretFile.ReadText(passphraseFile, "passphrase", MaxPassphraseFileBytes);
            using var mnemonic = Mnemonic.Parse(text);
            return (mnemonic.ToSeed(passphrase), Bip39Description(mnemonic.WordCount, passphrase.Length > 0));
        }
        finally
        {
            SecretFile.Clear(text);
            SecretFile.Clear(passphrase);
        }
    }

    private static (SecretBytes Seed, string Backup) FromShareFiles(string[] files, string? passphraseFile)
    {
        using var shares = new Slip39ShareSet();
        for (var i = 0; i < files.Length; i++)
        {
            char[]? text = null;
            try
            {
                text = SecretFile.ReadText(files[i], "share", MaxMnemonicFileBytes);
                shares.Add(text);
            }
            catch (InvalidInputException e)
            {
                // Name the file: the operator knows files, not positions on the command line.
                throw new CliException($"share file {files[i]} (share {i + 1}): {e.Reason}");
            }
            finally
            {
                SecretFile.Clear(text);
            }
        }
        if (!shares.IsComplete)
            throw new CliException($"not enough shares: {shares.Missing()}");
        return Recover(shares, passphraseFile is null ? [] : SecretFile.ReadText(passphraseFile, "passphrase", MaxPassphraseFileBytes));
    }

    private static (SecretBytes Seed, string Backup) ReadInteractively()
    {
        var screen = new CustodianScreen(AnsiConsole.Console);
        using var shares = new Slip39ShareSet();
        var mnemonicWords = screen.EnterBackup(shares);
        var passphrase = screen.AskPassphrase().ToCharArray();
        if (mnemonicWords is null) return Recover(shares, passphrase);
        try
        {
            using var mnemonic = Mnemonic.Parse(mnemonicWords);
            return (mnemonic.ToSeed(passphrase), Bip39Description(mnemonic.WordCount, passphrase.Length > 0));
        }
        finally
        {
            SecretFile.Clear(passphrase);
        }
    }

    /// <summary>SLIP-39 passphrases are printable ASCII; the recovery checks the bytes.</summary>
    private static (SecretBytes Seed, string Backup) Recover(Slip39ShareSet shares, char[] passphrase)
    {
        var bytes = PinnedArray.Allocate(passphrase.Length);
        try
        {
            for (var i = 0; i < passphrase.Length; i++)
                bytes[i] = passphrase[i] < 128 ? (byte)passphrase[i] : (byte)0; // 0 is refused as not printable
            var seed = shares.RecoverMasterSecret(bytes);
            return (seed, $"SLIP-39 shares{(passphrase.Length > 0 ? " with passphrase" : "")}, {seed.Length * 8}-bit");
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
            SecretFile.Clear(passphrase);
        }
    }

    private static string Bip39Description(int words, bool passphrase) =>
        $"BIP39 {words} words{(passphrase ? " with passphrase" : "")}";
}
