using System.CommandLine;
using Custody.Core;
using Custody.Core.Audit;
using Custody.Core.Ceremony;
using Custody.Core.Crypto;
using Spectre.Console;

namespace Custody.Cli.Ceremony;

/// <summary>
/// custody-admin ceremony generate: a new wallet seed from the HSM's generator, its backup
/// handed to the custodians (SLIP-39 shares or a BIP39 mnemonic), then sealed under the
/// current KEK and stored. The wallet exists only once every piece was handed out (and,
/// interactively, confirmed), so an aborted ceremony leaves no wallet without a backup.
/// The record (fingerprint, first addresses) goes to stdout; every step to the audit log.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var dataDir = CeremonyCommand.DataDir();
        var module = CeremonyCommand.Module();
        var name = CeremonyCommand.Name();
        var slip39 = new Option<string?>("--slip39") { Description = "SLIP-39 shares: M-of-N, or G:M1-of-N1,M2-of-N2,… for G of several groups" };
        var bits = new Option<int>("--bits") { Description = "SLIP-39 master secret strength: 128 or 256", DefaultValueFactory = _ => 256 };
        var bip39 = new Option<bool>("--bip39") { Description = "One BIP39 mnemonic instead of shares" };
        var words = new Option<int>("--words") { Description = "BIP39 mnemonic length: 12, 15, 18, 21 or 24", DefaultValueFactory = _ => 24 };
        var nonInteractive = new Option<bool>("--non-interactive") { Description = "Write each piece to its own 0600 file in --out-dir instead of showing it" };
        var outDir = new Option<string?>("--out-dir") { Description = "New or empty directory for the piece files (with --non-interactive)" };
        var op = CeremonyCommand.Operator();

        var command = new Command("generate", "Generate a wallet seed in the HSM and hand its backup to the custodians");
        foreach (var option in new Option[] { dataDir, module, name, slip39, bits, bip39, words, nonInteractive, outDir, op })
            command.Options.Add(option);
        command.SetAction((parse, cancellationToken) => RunAsync(new Request(
            parse.GetValue(dataDir)!, parse.GetValue(module)!, parse.GetValue(name)!,
            Plan(parse.GetValue(slip39), parse.GetValue(bits), parse.GetValue(bip39), parse.GetValue(words),
                parse.GetResult(bits) is { Implicit: false }, parse.GetResult(words) is { Implicit: false }),
            parse.GetValue(nonInteractive), parse.GetValue(outDir), parse.GetValue(op)!), cancellationToken));
        return command;
    }

    private sealed record Request(string DataDir, string Module, string Name, BackupPlan Plan, bool NonInteractive, string? OutDir, string Operator);

    private static BackupPlan Plan(string? slip39, int bits, bool bip39, int words, bool bitsGiven, bool wordsGiven)
    {
        if ((slip39 is null) == !bip39)
            throw new CliException("choose the backup: --slip39 M-of-N or --bip39", CliRunner.UsageError);
        if (bip39)
        {
            if (bitsGiven) throw new CliException("--bits applies to --slip39; a BIP39 mnemonic's strength is set by --words", CliRunner.UsageError);
            return new Bip39Backup(words);
        }
        if (wordsGiven) throw new CliException("--words applies to --bip39", CliRunner.UsageError);
        return Slip39Backup.Parse(slip39!, bits);
    }

    private static async Task<int> RunAsync(Request request, CancellationToken cancellationToken)
    {
        // Everything that can be refused is refused before the HSM draws a secret.
        var name = Custody.Core.Ledger.WalletRecord.CheckName(request.Name);
        string? outDir = null;
        if (request.NonInteractive)
            outDir = ShareFiles.Prepare(request.OutDir ?? throw new CliException("--non-interactive needs --out-dir DIR for the piece files", CliRunner.UsageError));
        else if (request.OutDir is not null)
            throw new CliException("--out-dir goes with --non-interactive; interactively the pieces are shown, not written", CliRunner.UsageError);
        else
            CustodianScreen.RequireTerminal("run with --non-interactive --out-dir DIR to write the pieces to files");

        await using var installation = Installation.Open(request.DataDir, request.Module);
        await installation.RequireFreeNameAsync(name, cancellationToken).ConfigureAwait(false);
        await using var audit = CeremonyAudit.Open(installation, request.Operator);
        await audit.RecordAsync(AuditActions.CeremonyGenerateStart, null, ("name", name), ("backup", request.Plan.Describe()),
            ("mode", request.NonInteractive ? "files" : "interactive")).ConfigureAwait(false);
        try
        {
            var random = (Func<int, byte[]>)installation.Hsm.Random.GetBytes;
            using var secret = new SecretBytes(request.Plan.SecretLength);
            installation.Hsm.Random.Fill(secret.WritableSpan);
            using var material = request.Plan.CreateMaterial(secret.Span, random);
            var record = CeremonyRecord.FromSeed(name, request.Plan.Describe(), material.Seed);
            await installation.RequireNewFingerprintAsync(record.MasterFingerprint, cancellationToken).ConfigureAwait(false);
            await audit.RecordAsync(AuditActions.CeremonySeedGenerated, null, ("fingerprint", record.FingerprintHex), ("pieces", $"{material.Pieces.Count}")).ConfigureAwait(false);

            if (outDir is not null)
            {
                foreach (var piece in material.Pieces)
                {
                    var path = ShareFiles.Write(outDir, request.Plan, piece);
                    await audit.RecordAsync(AuditActions.CeremonyPieceWritten, null, ("piece", $"{piece.Number}"), ("label", piece.Label), ("file", path)).ConfigureAwait(false);
                    Console.Error.WriteLine($"piece {piece.Number} ({piece.Label}) written to {path}");
                }
            }
            else
            {
                new CustodianScreen(AnsiConsole.Console).HandOut(material.Pieces, random,
                    shown: piece => Wait(audit.RecordAsync(AuditActions.CeremonyPieceShown, null, ("piece", $"{piece.Number}"), ("label", piece.Label))),
                    confirmed: piece => Wait(audit.RecordAsync(AuditActions.CeremonyPieceConfirmed, null, ("piece", $"{piece.Number}"), ("label", piece.Label))));
            }

            var wallet = await CeremonyWallet.StoreAsync(installation, audit, "ceremony generate", name, material.Seed, record.MasterFingerprint, cancellationToken).ConfigureAwait(false);
            await audit.RecordAsync(AuditActions.CeremonyGenerateComplete, wallet.WalletId, ("name", name), ("fingerprint", record.FingerprintHex),
                ("kek_version", $"{wallet.KekVersion}"), ("backup", request.Plan.Describe())).ConfigureAwait(false);
            CeremonyWallet.Print(wallet, record);
            return CliRunner.Ok;
        }
        catch (Exception e)
        {
            await audit.RecordFailureAsync(AuditActions.CeremonyGenerateFailed, e).ConfigureAwait(false);
            throw;
        }
    }

    // The hand-out is a synchronous conversation with the terminal; each step waits for its audit record.
    private static void Wait(Task task) => task.GetAwaiter().GetResult();
}
