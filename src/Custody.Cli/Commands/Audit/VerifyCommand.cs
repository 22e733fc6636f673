using System.CommandLine;
using Custody.Core.Audit.Notes;

namespace Custody.Cli.Audit;

/// <summary>
/// custody-admin audit verify: replays the log and checks every signed checkpoint.
/// Exit 0 and a summary when intact and every record is covered by a signed checkpoint; exit 1
/// and one line naming the first bad record or checkpoint, or how many records no checkpoint
/// covers, otherwise (--allow-unsigned-tail accepts those as only consistent, explicitly).
/// Checkpoints kept elsewhere (--checkpoint) also catch the one change the file cannot show:
/// its newest records removed together with their checkpoints.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var db = new Option<string?>("--db") { Description = "The ledger file holding the audit log (DIR/custody.db); omitted with CUSTODY_STORAGE__ENGINE=postgres, the PostgreSQL ledger" };
        var key = new Option<string>("--key") { Description = "File holding the audit verifier key (<name>+<key id>+<base64 key>)", Required = true };
        var anchors = new Option<string[]>("--checkpoint")
        {
            Description = "File holding a signed checkpoint kept outside the database (repeatable): the log must still contain its tree",
        };
        var unsignedTail = new Option<bool>("--allow-unsigned-tail")
        {
            Description = "Accept records after the newest signed checkpoint as verified when everything before is intact (they are only consistent: whoever holds the file could have written them)",
        };
        var command = new Command("verify", "Check that no audit record or checkpoint was changed, removed or forged");
        command.Options.Add(db);
        command.Options.Add(key);
        command.Options.Add(anchors);
        command.Options.Add(unsignedTail);
        command.SetAction((parse, _) => RunAsync(parse.GetValue(db), parse.GetValue(key)!, parse.GetValue(anchors) ?? [], parse.GetValue(unsignedTail)));
        return command;
    }

    private static Task<int> RunAsync(string? db, string keyFile, string[] anchorFiles, bool allowUnsignedTail)
    {
        var key = NoteVerifierKey.Parse(File.ReadAllText(keyFile).Trim());
        var anchors = anchorFiles.Select(File.ReadAllText).ToList();
        return AuditFile.ReadAsync(db, async ledger =>
        {
            var verdict = await ledger.Audit.VerifyAsync(key, anchors, CancellationToken.None).ConfigureAwait(false);
            Console.Out.WriteLine(verdict.IsVerified(allowUnsignedTail) && verdict.UnsignedRecords > 0
                ? $"{verdict} (accepted: --allow-unsigned-tail)"
                : verdict.ToString());
            return verdict.IsVerified(allowUnsignedTail) ? CliRunner.Ok : CliRunner.Failure;
        });
    }
}
