using System.CommandLine;
using Custody.Core.Audit.Notes;

namespace Custody.Cli.Audit;

/// <summary>
/// custody-admin audit verify: replays the log and checks every signed checkpoint.
/// Exit 0 and a summary when intact; exit 1 and one line naming the first bad record
/// or checkpoint otherwise. Checkpoints kept elsewhere (--checkpoint) also catch the one
/// change the file cannot show: its newest records removed together with their checkpoints.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "The SQLite database holding the audit log", Required = true };
        var key = new Option<string>("--key") { Description = "File holding the audit verifier key (<name>+<key id>+<base64 key>)", Required = true };
        var anchors = new Option<string[]>("--checkpoint")
        {
            Description = "File holding a signed checkpoint kept outside the database (repeatable): the log must still contain its tree",
        };
        var command = new Command("verify", "Check that no audit record or checkpoint was changed, removed or forged");
        command.Options.Add(db);
        command.Options.Add(key);
        command.Options.Add(anchors);
        command.SetAction(parse => Run(parse.GetValue(db)!, parse.GetValue(key)!, parse.GetValue(anchors) ?? []));
        return command;
    }

    private static int Run(string db, string keyFile, string[] anchorFiles)
    {
        var key = NoteVerifierKey.Parse(File.ReadAllText(keyFile).Trim());
        var anchors = anchorFiles.Select(File.ReadAllText).ToList();
        return AuditFile.Read(db, reader =>
        {
            var verdict = reader.Verify(key, anchors);
            Console.Out.WriteLine(verdict.ToString());
            return verdict.IsIntact ? CliRunner.Ok : CliRunner.Failure;
        });
    }
}
