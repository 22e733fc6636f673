using System.Collections.Concurrent;
using Custody.Core;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Bitcoin.Descriptors;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
using Custody.Core.Ledger;
using Custody.Daemon.Errors;

namespace Custody.Daemon.Wallets;

/// <summary>An account as served: its row, its parsed descriptor and the keys of ours in it.</summary>
public sealed record DescriptorAccountView(AccountRecord Record, Chain Chain, OutputDescriptor Descriptor, IReadOnlyList<DescriptorKey> OurKeys);

/// <summary>
/// A wallet's descriptor accounts (Bitcoin-family multisig): defined from a descriptor or from
/// cosigner xpubs, checked to hold a key of the wallet (its xpub derived here at the key's origin),
/// stored with their record, and read back parsed (cached: an account never changes).
/// </summary>
public sealed class DescriptorAccounts(ILedger ledger, WalletRepository wallets)
{
    private readonly ConcurrentDictionary<(string WalletId, string Name), DescriptorAccountView> _accounts = new();

    /// <summary>The definition: a descriptor text, or cosigners for a composed sortedmulti descriptor.</summary>
    public sealed record Definition(string? Descriptor, MultisigScriptType? ScriptType, int Threshold, IReadOnlyList<string> CosignerKeys, uint Bip48Account);

    public async Task<DescriptorAccountView> CreateAsync(WalletRecord wallet, string name, Chain chain, Definition definition, string principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        ArgumentNullException.ThrowIfNull(definition);
        name = AccountRecord.CheckName(name);
        var network = NetworkOf(chain);
        if (wallet.Kind != WalletKind.Hd || wallet.MasterFingerprint is not { } fingerprint)
            throw new InvalidInputException("wallet_id", "a descriptor account needs an HD wallet (its keys are xpubs at key origins)");
        if (await ledger.Wallets.GetAccountAsync(wallet.WalletId, name, cancellationToken).ConfigureAwait(false) is not null)
            throw new InvalidInputException("name", $"the wallet already has an account '{name}'");

        string text;
        Dictionary<string, string> details;
        if (definition.Descriptor is { } given)
        {
            if (given.Length > DescriptorAccount.MaxLength) throw new InvalidInputException("descriptor", $"longer than {DescriptorAccount.MaxLength} characters");
            text = given.Trim();
            details = new Dictionary<string, string>(StringComparer.Ordinal) { ["via"] = "descriptor" };
        }
        else
        {
            var type = definition.ScriptType ?? throw new InvalidInputException("cosigners.script_type", "wsh, sh-wsh, sh or tr");
            var ourPath = DescriptorAccount.Bip48Path(chain, definition.Bip48Account, type);
            var ourKey = await wallets.AccountXpubAsync(wallet, ourPath, principal, cancellationToken).ConfigureAwait(false);
            var ours = $"[{fingerprint:x8}{ourPath.ToString()[1..]}]{ourKey.ToBase58(network)}";
            text = DescriptorAccount.Compose(type, definition.Threshold, ours, definition.CosignerKeys);
            details = new Dictionary<string, string>(StringComparer.Ordinal) { ["via"] = "cosigners", ["our_path"] = ourPath.ToString() };
        }
        // A typed descriptor must carry its checksum; a composed one gets it here.
        var descriptor = OutputDescriptor.Parse(text, requireChecksum: definition.Descriptor is not null);
        var ourKeys = await VerifyAsync(wallet, descriptor, network, fingerprint, principal, cancellationToken).ConfigureAwait(false);
        var record = new AccountRecord(wallet.WalletId, name, chain.Id, descriptor.ToString(network), DateTimeOffset.UtcNow);
        if (!await ledger.Wallets.CreateAccountAsync(record, principal, details, cancellationToken).ConfigureAwait(false))
            throw new InvalidInputException("name", $"the wallet already has an account '{name}'");
        return Cache(new DescriptorAccountView(record, chain, descriptor, ourKeys));
    }

    public async Task<DescriptorAccountView> GetAsync(WalletRecord wallet, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        if (string.IsNullOrEmpty(name)) throw new InvalidInputException("name", "empty");
        if (_accounts.TryGetValue((wallet.WalletId, name), out var known)) return known;
        var record = await ledger.Wallets.GetAccountAsync(wallet.WalletId, name, cancellationToken).ConfigureAwait(false)
            ?? throw ApiException.NotFound("account", name);
        return Cache(View(wallet, record));
    }

    public async Task<IReadOnlyList<DescriptorAccountView>> ListAsync(WalletRecord wallet, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        var records = await ledger.Wallets.ListAccountsAsync(wallet.WalletId, cancellationToken).ConfigureAwait(false);
        return [.. records.Select(r => _accounts.TryGetValue((r.WalletId, r.Name), out var known) ? known : Cache(View(wallet, r)))];
    }

    /// <summary>Our keys as other cosigners import them: [fingerprint/path]xpub in the chain's version.</summary>
    public static IEnumerable<string> OurKeyTexts(DescriptorAccountView account)
    {
        ArgumentNullException.ThrowIfNull(account);
        var network = NetworkOf(account.Chain);
        // The key expression as the descriptor writes it (h steps), without the steps after the xpub.
        return account.OurKeys.Select(k => k.ToString(network)).Select(text => text.IndexOf('/', text.IndexOf(']', StringComparison.Ordinal) + 1) is var end and > 0 ? text[..end] : text);
    }

    // Stored rows were verified when created; reading them back re-parses only (no key derivation).
    private static DescriptorAccountView View(WalletRecord wallet, AccountRecord record)
    {
        var descriptor = OutputDescriptor.Parse(record.Descriptor, requireChecksum: true);
        var ours = descriptor.Root.Keys.Where(k => k.Origin?.Fingerprint == wallet.MasterFingerprint && k.Extended is not null).ToList();
        return new DescriptorAccountView(record, ChainRegistry.Get(record.Chain), descriptor, ours);
    }

    private DescriptorAccountView Cache(DescriptorAccountView view) => _accounts.GetOrAdd((view.Record.WalletId, view.Record.Name), view);

    private async Task<IReadOnlyList<DescriptorKey>> VerifyAsync(
        WalletRecord wallet, OutputDescriptor descriptor, BitcoinNetwork network, uint fingerprint, string principal, CancellationToken cancellationToken)
    {
        // Our xpub at each origin of ours: the hardened prefix from the sealed seed (once, then stored), the rest derived publicly.
        var expected = new Dictionary<string, ExtendedPublicKey>(StringComparer.Ordinal);
        foreach (var key in descriptor.Root.Keys)
        {
            if (key.Origin is not { } origin || origin.Fingerprint != fingerprint || expected.ContainsKey(origin.Path.ToString())) continue;
            var hardened = 0;
            while (hardened < origin.Path.Depth && KeyPath.IsHardenedIndex(origin.Path[hardened])) hardened++;
            if (hardened == 0) throw new InvalidInputException("descriptor", $"a key of this wallet at {origin.Path}: an account key of ours is at a hardened path");
            var account = await wallets.AccountXpubAsync(wallet, KeyPath.FromIndexes(origin.Path.Indexes[..hardened]), principal, cancellationToken).ConfigureAwait(false);
            expected[origin.Path.ToString()] = account.Derive(KeyPath.FromIndexes(origin.Path.Indexes[hardened..]));
        }
        return DescriptorAccount.Verify(descriptor, network, fingerprint, path => expected[path.ToString()]);
    }

    private static BitcoinNetwork NetworkOf(Chain chain) => DescriptorAccount.NetworkOf(chain, "chain");
}
