using System.CommandLine;
using System.Globalization;
using Custody.Core;
using Custody.Core.Audit;

namespace Custody.Cli.Audit;

/// <summary>custody-admin audit export: matching records as JSON lines on stdout.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var db = new Option<string?>("--db") { Description = "The ledger file holding the audit log (DIR/custody.db); omitted with CUSTODY_STORAGE__ENGINE=postgres, the PostgreSQL ledger" };
        var from = new Option<string?>("--from") { Description = "Earliest time, ISO 8601, inclusive (UTC unless an offset is given)" };
        var to = new Option<string?>("--to") { Description = "Latest time, ISO 8601, exclusive" };
        var principal = new Option<string?>("--principal") { Description = "Only records of this principal" };
        var wallet = new Option<string?>("--wallet") { Description = "Only records of this wallet" };
        var action = new Option<string?>("--action") { Description = "Only records of this action" };
        var command = new Command("export", "Write audit records as JSON lines");
        foreach (var option in new Option[] { db, from, to, principal, wallet, action }) command.Options.Add(option);
        command.SetAction((parse, _) =>
        {
            var query = new AuditQuery
            {
                From = Time("--from", parse.GetValue(from)),
                To = Time("--to", parse.GetValue(to)),
                Principal = parse.GetValue(principal),
                WalletId = parse.GetValue(wallet),
                Action = parse.GetValue(action),
            };
            return AuditFile.ReadAsync(parse.GetValue(db), async ledger =>
            {
                using var stdout = Console.OpenStandardOutput();
                // Page through in sequence order: an export of a large log never holds it all in memory.
                for (long next = 0; ;)
                {
                    var page = await ledger.Audit.QueryAsync(query with { FromSequence = next, Limit = 1000 }, CancellationToken.None).ConfigureAwait(false);
                    AuditJsonLines.Write(stdout, page);
                    if (page.Count < 1000) return CliRunner.Ok;
                    next = page[^1].Sequence + 1;
                }
            });
        });
        return command;
    }

    private static DateTimeOffset? Time(string option, string? text) =>
        text is null ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time
        : throw new InvalidInputException(option, $"'{text}' is not an ISO 8601 time");
}
