using System.CommandLine;
using Custody.Core.Audit;
using Custody.Core.Audit.Notes;
using Custody.Core.Chains;
using Custody.Hsm;
using Custody.Hsm.Embedded;
using Custody.Core.Ledger;
using Custody.Storage;

namespace Custody.Cli.Init;

/// <summary>
/// custody-admin init: the embedded installation in one data directory — a SoftHSM token with
/// random PINs (<see cref="EmbeddedSoftHsm"/>), the KEK that seals wallet seeds, the audit key
/// (Ed25519, inside the HSM), the ledger (one SQLite file) opened by a first record, and a first
/// admin API token in a 0600 file, its creation recorded and covered by a signed checkpoint. It
/// refuses a directory that already holds an installation, so it can never replace keys in use.
/// </summary>
internal static class InitCommand
{
    public const int KekVersion = 1;

    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Directory to create the installation in (new or empty)", Required = true };
        var module = new Option<string>("--module") { Description = "SoftHSM PKCS#11 module", DefaultValueFactory = _ => HsmOptions.SoftHsmModulePath };
        var principal = new Option<string>("--admin-principal") { Description = "Principal of the first admin token", DefaultValueFactory = _ => "admin" };
        var command = new Command("init", "Create the embedded installation: SoftHSM token, KEK, audit key and log, database, first admin token");
        foreach (var option in new Option[] { dataDir, module, principal })
            command.Options.Add(option);
        command.SetAction(parse => Run(new DataDirectory(parse.GetValue(dataDir)!), parse.GetValue(module)!, parse.GetValue(principal)!));
        return command;
    }

    private static int Run(DataDirectory dir, string module, string principal)
    {
        RefuseExistingInstallation(dir);

        var hsm = EmbeddedSoftHsm.Prepare(dir.Root, EmbeddedSoftHsm.DefaultTokenLabel, module);
        if (!hsm.TokenCreated)
            throw new CliException($"token '{hsm.Options.TokenLabel}' already exists in {hsm.Directory}; refusing to take it over");
        HsmKeyInfo auditKey;
        using (var connection = HsmConnection.Open(hsm.Options))
        {
            connection.Keks.Ensure(KekVersion);
            auditKey = connection.Keys.Generate(KeyCurve.Ed25519);
            File.WriteAllText(dir.AuditKeyId, auditKey.Id + "\n");
            var signer = new HsmCheckpointSigner(connection.Keys, auditKey.Id, DataDirectory.AuditKeyName);
            File.WriteAllText(dir.AuditVerifierKey, NoteVerifierKey.For(signer).ToString() + "\n");

            // Created owner-only before SQLite opens it (its journal files take the same mode): it holds sealed seeds and token hashes.
            if (!LedgerLocation.IsPostgres)
            {
                using (OwnerOnlyFile.CreateNew(dir.Ledger)) { }
            }
            var ledger = Installation.OpenLedger(dir, signer);
            try
            {
                ledger.Audit.AppendAsync(new AuditRecord
                {
                    Principal = "custody-admin",
                    Action = AuditActions.InstallationInit,
                    Details = new Dictionary<string, string> { ["admin_principal"] = principal, ["kek_version"] = KekVersion.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                }).GetAwaiter().GetResult();
                var (admin, secret) = ledger.Tokens.CreateAsync(principal, Roles.Admin, WalletScope.All, "custody-admin", CancellationToken.None).GetAwaiter().GetResult();
                OwnerOnlyFile.WriteLine(dir.AdminToken, secret);
                Console.Error.WriteLine($"initialised {dir.Root}: SoftHSM token '{hsm.Options.TokenLabel}', KEK v{KekVersion}, audit key {auditKey.Id}, ledger {ledger.Describe()}");
                Console.Error.WriteLine($"audit verifier key in {dir.AuditVerifierKey} (custody-admin audit verify --db {dir.Ledger} --key {dir.AuditVerifierKey})");
                Console.Error.WriteLine($"admin token {admin.TokenId} ({admin.Principal}) written to {dir.AdminToken} (mode 0600); it is not stored anywhere else");
            }
            finally
            {
                ledger.DisposeAsync().AsTask().GetAwaiter().GetResult(); // signs the checkpoint covering the installation's first records
            }
        }
        Console.Out.WriteLine(dir.AdminToken);
        return CliRunner.Ok;
    }

    /// <summary>An installation is any of: the databases, the HSM directory, the admin token file.</summary>
    private static void RefuseExistingInstallation(DataDirectory dir)
    {
        foreach (var existing in new[] { dir.Ledger, dir.LegacyPolicyDatabase, dir.LegacyAuditDatabase, dir.Hsm, dir.AdminToken })
        {
            if (File.Exists(existing) || Directory.Exists(existing))
                throw new CliException($"{dir.Root} already holds an installation ({Path.GetFileName(existing)} exists); refusing to overwrite it");
        }
    }
}
