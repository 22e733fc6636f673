using System.CommandLine;
using Custody.Cli.Token;
using Custody.Hsm;
using Custody.Hsm.Embedded;
using Custody.Storage.Idempotency;
using Custody.Storage.Tokens;
using Custody.Storage.Wallets;

namespace Custody.Cli.Init;

/// <summary>
/// custody-admin init: the embedded installation in one data directory — a SoftHSM token with
/// random PINs (<see cref="EmbeddedSoftHsm"/>), the KEK that seals wallet seeds, the SQLite
/// database, and a first admin API token in a 0600 file. It refuses to touch a directory that
/// already holds an installation, so it can never replace keys that are in use.
/// </summary>
internal static class InitCommand
{
    public const string AdminTokenFileName = "admin.token";
    public const int KekVersion = 1;

    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Directory to create the installation in (new or empty)", Required = true };
        var module = new Option<string>("--module") { Description = "SoftHSM PKCS#11 module", DefaultValueFactory = _ => HsmOptions.SoftHsmModulePath };
        var principal = new Option<string>("--admin-principal") { Description = "Principal of the first admin token", DefaultValueFactory = _ => "admin" };
        var command = new Command("init", "Create the embedded installation: SoftHSM token, KEK, database and a first admin token");
        foreach (var option in new Option[] { dataDir, module, principal })
            command.Options.Add(option);
        command.SetAction(parse =>
        {
            var root = Path.GetFullPath(parse.GetValue(dataDir)!);
            RefuseExistingInstallation(root);

            var hsm = EmbeddedSoftHsm.Prepare(root, EmbeddedSoftHsm.DefaultTokenLabel, parse.GetValue(module)!);
            if (!hsm.TokenCreated)
                throw new CliException($"token '{hsm.Options.TokenLabel}' already exists in {hsm.Directory}; refusing to take it over");
            using (var connection = HsmConnection.Open(hsm.Options))
                connection.Keks.Ensure(KekVersion);

            // Created owner-only before SQLite opens it: it holds sealed seeds and token hashes.
            using (OwnerOnlyFile.CreateNew(SqliteOpener.PathIn(root))) { }
            var db = new SqliteOpener(SqliteOpener.PathIn(root));
            var tokens = new TokenStore(db);
            _ = new WalletStore(db);
            IdempotencyStore.CreateSchema(db);
            var (admin, secret) = tokens.Create(parse.GetValue(principal)!, Roles.Admin, WalletScope.All);
            var tokenFile = Path.Combine(root, AdminTokenFileName);
            OwnerOnlyFile.WriteLine(tokenFile, secret);

            Console.Error.WriteLine($"initialised {root}: SoftHSM token '{hsm.Options.TokenLabel}', KEK v{KekVersion}, database {db.DatabasePath}");
            Console.Error.WriteLine($"admin token {admin.TokenId} ({admin.Principal}) written to {tokenFile} (mode 0600); it is not stored anywhere else");
            Console.Out.WriteLine(tokenFile);
            return CliRunner.Ok;
        });
        return command;
    }

    /// <summary>An installation is any of: the database, the HSM directory, an admin token file.</summary>
    private static void RefuseExistingInstallation(string root)
    {
        foreach (var existing in new[] { SqliteOpener.PathIn(root), Path.Combine(root, "hsm"), Path.Combine(root, AdminTokenFileName) })
        {
            if (File.Exists(existing) || Directory.Exists(existing))
                throw new CliException($"{root} already holds an installation ({Path.GetFileName(existing)} exists); refusing to overwrite it");
        }
    }
}
