using Custody.Hsm;
using Custody.Hsm.Embedded;
using Custody.Storage;
using Custody.Storage.Sqlite;
using Custody.Storage.Wallets;

namespace Custody.Cli;

/// <summary>
/// An existing embedded installation (what <c>custody-admin init</c> created): the SoftHSM
/// token under DIR/hsm, logged in, and the SQLite database. Opening never creates anything,
/// so a typo in --data-dir cannot start a second, empty installation.
/// </summary>
internal sealed class Installation : IDisposable
{
    private Installation(DataDirectory directory, HsmConnection hsm, SqliteDatabase database)
    {
        Directory = directory;
        Hsm = hsm;
        Database = database;
        Wallets = new WalletStore(database);
    }

    public DataDirectory Directory { get; }

    public HsmConnection Hsm { get; }

    public SqliteDatabase Database { get; }

    public WalletStore Wallets { get; }

    public static Installation Open(string dataDirectory, string modulePath)
    {
        var directory = new DataDirectory(dataDirectory);
        var config = Path.Combine(directory.Hsm, "softhsm2.conf");
        if (!File.Exists(config) || !File.Exists(directory.Database))
            throw new CliException($"{directory.Root} holds no installation (hsm/softhsm2.conf and the database): run custody-admin init --data-dir {directory.Root} first");
        var options = new HsmOptions
        {
            ModulePath = modulePath,
            SoftHsmConfigPath = config,
            TokenLabel = EmbeddedSoftHsm.DefaultTokenLabel,
            UserPin = PinSource.FromFile(Path.Combine(directory.Hsm, "user.pin")),
        };
        var hsm = HsmConnection.Open(options);
        return new Installation(directory, hsm, new SqliteDatabase(directory.Database));
    }

    /// <summary>The newest KEK on the token: new seeds are sealed under it.</summary>
    public int CurrentKekVersion()
    {
        var versions = Hsm.Keks.Versions();
        return versions.Count > 0
            ? versions[^1]
            : throw new CliException($"token '{Hsm.TokenLabel}' holds no KEK: run custody-admin init first");
    }

    /// <summary>Refuses a wallet name that is taken: a ceremony's record names the wallet, so names stay unique.</summary>
    public async Task RequireFreeNameAsync(string name, CancellationToken cancellationToken)
    {
        await foreach (var wallet in AllWalletsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(wallet.Name, name, StringComparison.Ordinal))
                throw new CliException($"a wallet named '{name}' exists already ({wallet.WalletId}); choose another name");
        }
    }

    /// <summary>Refuses to store the same seed twice: it would be two wallets sharing every key.</summary>
    public async Task RequireNewFingerprintAsync(uint fingerprint, CancellationToken cancellationToken)
    {
        await foreach (var wallet in AllWalletsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (wallet.MasterFingerprint == fingerprint)
                throw new CliException($"this seed is already stored as wallet '{wallet.Name}' ({wallet.WalletId}, fingerprint {fingerprint:x8})");
        }
    }

    public async Task<WalletRecord> FindByNameAsync(string name, CancellationToken cancellationToken)
    {
        await foreach (var wallet in AllWalletsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (string.Equals(wallet.Name, name, StringComparison.Ordinal)) return wallet;
        }
        throw new CliException($"no wallet named '{name}' in {Directory.Root}");
    }

    private async IAsyncEnumerable<WalletRecord> AllWalletsAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        const int PageSize = 500;
        string? after = null;
        while (true)
        {
            var page = await Wallets.ListAsync(after, PageSize, cancellationToken).ConfigureAwait(false);
            foreach (var wallet in page) yield return wallet;
            if (page.Count < PageSize) yield break;
            after = page[^1].WalletId;
        }
    }

    public void Dispose()
    {
        Hsm.Dispose();
        Database.ReleasePooledConnections();
    }
}
