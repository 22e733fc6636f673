using Custody.Core.Audit;
using Custody.Core.Ledger;
using Custody.Hsm;
using Custody.Hsm.Embedded;
using Custody.Storage;
using Custody.Storage.Sqlite;

namespace Custody.Cli;

/// <summary>
/// An existing embedded installation (what <c>custody-admin init</c> created): the SoftHSM
/// token under DIR/hsm, logged in, and the ledger, whose checkpoints it signs with the audit key
/// (a final one when it closes, so what this command recorded is covered before it exits).
/// Opening never creates anything, so a typo in --data-dir cannot start a second, empty installation.
/// </summary>
internal sealed class Installation : IAsyncDisposable, IDisposable
{
    private Installation(DataDirectory directory, HsmConnection hsm, Ledger ledger)
    {
        Directory = directory;
        Hsm = hsm;
        Ledger = ledger;
    }

    public DataDirectory Directory { get; }

    public HsmConnection Hsm { get; }

    public Ledger Ledger { get; }

    public IWalletLedger Wallets => Ledger.Wallets;

    public static Installation Open(string dataDirectory, string modulePath)
    {
        var directory = new DataDirectory(dataDirectory);
        var config = Path.Combine(directory.Hsm, "softhsm2.conf");
        if (!File.Exists(config) || !LedgerLocation.Exists(directory) || !File.Exists(directory.AuditKeyId))
            throw new CliException($"{directory.Root} holds no installation (hsm/softhsm2.conf, the ledger and the audit key id): run custody-admin init --data-dir {directory.Root} first");
        var options = new HsmOptions
        {
            ModulePath = modulePath,
            SoftHsmConfigPath = config,
            TokenLabel = EmbeddedSoftHsm.DefaultTokenLabel,
            UserPin = PinSource.FromFile(Path.Combine(directory.Hsm, "user.pin")),
        };
        var hsm = HsmConnection.Open(options);
        try
        {
            var signer = new HsmCheckpointSigner(hsm.Keys, HsmKeyId.Parse(File.ReadAllText(directory.AuditKeyId).Trim()), DataDirectory.AuditKeyName);
            return new Installation(directory, hsm, OpenLedger(directory, signer));
        }
        catch
        {
            hsm.Dispose();
            throw;
        }
    }

    /// <summary>The ledger of <paramref name="directory"/>; with a signer, checkpoints are signed on request and when it closes.</summary>
    public static Ledger OpenLedger(DataDirectory directory, ICheckpointSigner? signer)
    {
        try
        {
            // The daemon signs every second while it runs; a command signs once, as it closes.
            return Ledger.Open(LedgerLocation.Engine(directory), new LedgerOptions { CheckpointSigner = signer, CheckpointInterval = TimeSpan.Zero });
        }
        catch (AuditLogTamperedException e)
        {
            throw new CliException($"the audit log does not fit its head or checkpoints, so nothing can be recorded in it: {e.Message}");
        }
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

    public async ValueTask DisposeAsync()
    {
        await Ledger.DisposeAsync().ConfigureAwait(false);
        Hsm.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
