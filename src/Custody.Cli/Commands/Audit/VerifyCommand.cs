using System.CommandLine;
using Custody.Core.Audit.Notes;

namespace Custody.Cli.Audit;

/// <summary>
/// custody-admin audit verify: replays the log and checks every signed checkpoint.
/// Exit 0 and a summary when intact and every record is covered by a signed checkpoint; exit 1
/// and one line naming the first bad record or checkpoint, or how many records no checkpoint
/// covers, otherwise (--allow-unsigned-tail accepts those as only consistent, explicitly).
/// Checkpoints kept elsewhere (--checkpoint, or the newest a witness holds: --witness) also catch
/// what the file cannot show: its newest records removed together with their checkpoints, and a
/// history rewritten and re-signed with the audit key by whoever holds the data directory.
/// With --remote the daemon replays its own log (AuditService.Verify) and answers the same
/// verdict, for an auditor without the file.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var db = new Option<string?>("--db") { Description = "The ledger file holding the audit log (DIR/custody.db); omitted with CUSTODY_STORAGE__ENGINE=postgres, the PostgreSQL ledger" };
        var key = new Option<string>("--key") { Description = "File holding the audit verifier key (<name>+<key id>+<base64 key>)" };
        var remote = new Option<bool>("--remote") { Description = "Ask the daemon to verify its log (--endpoint, --token-file) instead of reading the ledger" };
        var anchors = new Option<string[]>("--checkpoint")
        {
            Description = "File holding a signed checkpoint kept outside the database (repeatable): the log must still contain its tree",
        };
        var witnesses = new Option<string[]>("--witness")
        {
            Description = "A witness (repeatable): the URL of a witness service (its newest checkpoint is read from URL/checkpoint) or a witness file; the log must contain the tree of the newest checkpoint it holds",
        };
        var unsignedTail = new Option<bool>("--allow-unsigned-tail")
        {
            Description = "Accept records after the newest signed checkpoint as verified when everything before is intact (they are only consistent: whoever holds the file could have written them)",
        };
        var command = new Command("verify", "Check that no audit record or checkpoint was changed, removed or forged");
        command.Options.Add(db);
        command.Options.Add(key);
        command.Options.Add(anchors);
        command.Options.Add(witnesses);
        command.Options.Add(unsignedTail);
        command.Options.Add(remote);
        var connection = DaemonClient.Options.AddTo(command);
        command.SetAction((parse, _) =>
        {
            if (parse.GetValue(remote)) return Task.FromResult(Remote(connection, parse, parse.GetValue(unsignedTail)));
            if (parse.GetValue(key) is not { } keyPath)
                throw new CliException("give --key DIR/audit.vkey with --db DIR/custody.db (or CUSTODY_STORAGE__ENGINE=postgres), or --remote to ask the daemon", CliRunner.UsageError);
            return RunAsync(parse.GetValue(db), keyPath, parse.GetValue(anchors) ?? [], parse.GetValue(witnesses) ?? [], parse.GetValue(unsignedTail));
        });
        return command;
    }

    private static int Remote(DaemonClient.Options connection, System.CommandLine.ParseResult parse, bool allowUnsignedTail)
    {
        using var daemon = connection.Connect(parse);
        var verdict = daemon.Audit.Verify(new V1.VerifyAuditRequest { AllowUnsignedTail = allowUnsignedTail }, daemon.Call);
        var verified = verdict.Intact && (allowUnsignedTail || verdict.UnsignedRecords == 0);
        DaemonClient.Print(connection.Json(parse), verdict, () => Console.Out.WriteLine(
            verdict.Failure.Length > 0 ? $"audit log tampered: {verdict.Failure}"
            : verdict.UnsignedRecords > 0 && !allowUnsignedTail
                ? $"audit log not verified: {verdict.UnsignedRecords} of {verdict.RecordCount} records are not covered by any signed checkpoint ({verdict.CheckpointCount} checkpoints, the latest covers {verdict.SignedSize})"
                : $"audit log intact: {verdict.RecordCount} records, {verdict.CheckpointCount} signed checkpoints, {verdict.SignedSize} records covered by the latest (verified by the daemon; keep its latest checkpoint: --json)"));
        return verified ? CliRunner.Ok : CliRunner.Failure;
    }

    private static async Task<int> RunAsync(string? db, string keyFile, string[] anchorFiles, string[] witnesses, bool allowUnsignedTail)
    {
        var key = NoteVerifierKey.Parse(File.ReadAllText(keyFile).Trim());
        var anchors = anchorFiles.Select(File.ReadAllText).ToList();
        foreach (var witness in witnesses)
            anchors.Add(await WitnessCheckpoint.ReadAsync(witness, key).ConfigureAwait(false));
        return await AuditFile.ReadAsync(db, async ledger =>
        {
            var verdict = await ledger.Audit.VerifyAsync(key, anchors, CancellationToken.None).ConfigureAwait(false);
            Console.Out.WriteLine(verdict.IsVerified(allowUnsignedTail) && verdict.UnsignedRecords > 0
                ? $"audit log intact: {verdict.RecordCount} records, {verdict.CheckpointCount} signed checkpoints, {verdict.SignedSize} records covered by the latest; " +
                  $"the {verdict.UnsignedRecords} after it are only consistent (accepted: --allow-unsigned-tail)"
                : verdict.ToString());
            return verdict.IsVerified(allowUnsignedTail) ? CliRunner.Ok : CliRunner.Failure;
        }).ConfigureAwait(false);
    }
}
