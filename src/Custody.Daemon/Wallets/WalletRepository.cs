using System.Collections.Concurrent;
using Custody.Core;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
using Custody.Daemon.Errors;
using Custody.Core.Ledger;
using Custody.Hsm;
using Microsoft.Extensions.Logging;

namespace Custody.Daemon.Wallets;

/// <summary>
/// The wallet repository: wallets and their public keys and addresses, read from
/// <see cref="ILedger.Wallets"/> and cached in memory (rows, account xpubs, signer keys). Key
/// material is <see cref="WalletKeyVault"/>'s. secp256k1 addresses come from the account xpub,
/// stored the first time an account is used (the only time its seed is unsealed for addresses);
/// ed25519 (SLIP-10) has only hardened steps, so each of its addresses unseals the seed.
/// </summary>
public sealed class WalletRepository(ILedger ledger, WalletKeyVault keys, ILogger<WalletRepository> logger)
{
    private const int MaxSignerKeys = 100_000;
    private readonly IWalletLedger store = ledger.Wallets;
    private readonly ConcurrentDictionary<(string WalletId, string Path), ExtendedPublicKey> _xpubs = new();
    private readonly ConcurrentDictionary<(string WalletId, string Path), byte[]> _signerKeys = new();
    private readonly ConcurrentDictionary<string, WalletRecord> _wallets = new(StringComparer.Ordinal); // rows change only when a KEK rotation reseals them (see OpenKeysAsync)

    public async Task<WalletRecord> CreateAsync(string name, WalletKind kind, KeyCurve? curve, string principal, CancellationToken cancellationToken)
    {
        name = WalletRecord.CheckName(name);
        var wallet = kind switch
        {
            WalletKind.Hd when curve is null => keys.NewHdWallet(name),
            WalletKind.Hd => throw new InvalidInputException("curve", "an HD wallet holds both curves; leave curve unset"),
            _ when curve is null => throw new InvalidInputException("curve", "an HSM-native wallet needs a curve (secp256k1 or ed25519)"),
            _ => keys.NewHsmNativeWallet(name, curve.Value),
        };
        await store.CreateAsync(wallet, principal, new Dictionary<string, string> { ["via"] = "api" }, cancellationToken).ConfigureAwait(false);
        Log.WalletCreated(logger, kind == WalletKind.Hd ? "hd" : "hsm-native", wallet.WalletId, principal);
        return wallet;
    }

    public async Task<WalletRecord> GetAsync(string walletId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(walletId)) throw new InvalidInputException("wallet_id", "empty");
        if (_wallets.TryGetValue(walletId, out var cached)) return cached;
        var wallet = await store.GetAsync(walletId, cancellationToken).ConfigureAwait(false) ?? throw ApiException.NotFound("wallet", walletId);
        _wallets.TryAdd(walletId, wallet);
        return wallet;
    }

    /// <summary>
    /// Opens a wallet's keys for one operation. A cached HD row whose sealed seed no longer opens
    /// may have been resealed by a KEK rotation since it was read: the row is read again, once.
    /// </summary>
    public async Task<KeyRingLease> OpenKeysAsync(WalletRecord wallet, KeyCurve curve, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        try
        {
            return keys.Open(wallet, curve);
        }
        catch (HsmException e) when (e is not HsmUnavailableException && wallet.Kind == WalletKind.Hd)
        {
            var fresh = await store.GetAsync(wallet.WalletId, cancellationToken).ConfigureAwait(false);
            if (fresh?.SealedSeed is null || fresh.SealedSeed.AsSpan().SequenceEqual(wallet.SealedSeed)) throw;
            _wallets[wallet.WalletId] = fresh;
            return keys.Open(fresh, curve);
        }
    }

    public Task<IReadOnlyList<WalletRecord>> ListAsync(string? afterId, int limit, CancellationToken cancellationToken) =>
        store.ListAsync(afterId, limit, cancellationToken);

    /// <summary>
    /// The public key at <paramref name="path"/>, without a private key where it can be done: an
    /// HSM-native key is stored; a secp256k1 path's hardened part is an account whose xpub is stored
    /// and its normal tail is derived from it; an ed25519 (all-hardened) path needs the key ring.
    /// </summary>
    public async Task<byte[]> PublicKeyAsync(WalletRecord wallet, Chain chain, KeyPath path, string principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        ArgumentNullException.ThrowIfNull(path);
        if (wallet.Kind == WalletKind.HsmNative)
            return path == KeyPath.Root ? wallet.PublicKey! : throw new InvalidInputException("signer", "an HSM-native wallet has one key, at m");
        var key = (wallet.WalletId, $"{chain.Curve}:{path}");
        if (_signerKeys.TryGetValue(key, out var known)) return known;
        byte[] publicKey;
        if (chain.Curve == KeyCurve.Secp256k1)
        {
            var hardened = 0;
            while (hardened < path.Depth && KeyPath.IsHardenedIndex(path[hardened])) hardened++;
            var account = KeyPath.FromIndexes(path.Indexes[..hardened]);
            publicKey = (await AccountXpubAsync(wallet, account, principal, cancellationToken).ConfigureAwait(false))
                .Derive(KeyPath.FromIndexes(path.Indexes[hardened..])).PublicKey.ToArray();
        }
        else
        {
            using var lease = await OpenKeysAsync(wallet, chain.Curve, cancellationToken).ConfigureAwait(false);
            publicKey = lease.Ring.GetPublicKey(path);
        }
        if (_signerKeys.Count >= MaxSignerKeys) _signerKeys.Clear();
        _signerKeys[key] = publicKey;
        return publicKey;
    }

    public async Task<DerivedAddress> DeriveAddressAsync(
        WalletRecord wallet, Chain chain, uint account, BitcoinAddressKind? kind, bool change, uint? index, string principal, CancellationToken cancellationToken)
    {
        var scheme = DerivationScheme.Select(chain, kind);
        if (index is >= KeyPath.HardenedBit) throw new InvalidInputException("index", "must be below 2^31");
        if (account >= KeyPath.HardenedBit) throw new InvalidInputException("account", "must be below 2^31");
        if (wallet.Kind == WalletKind.HsmNative) return NativeAddress(wallet, chain, scheme, account, change, index);

        if (scheme.Layout == DerivationLayout.AccountPerAddress)
        {
            if (account != 0) throw new InvalidInputException("account", $"{chain.Id} has one address per account: use index alone");
            if (change) throw new InvalidInputException("change", $"{chain.Id} has no change branch");
        }
        // The branch whose counter "next unused" advances: .../account'/change, or m/44'/coin' for one address per account.
        var branch = scheme.Layout == DerivationLayout.Bip44 ? scheme.AccountPath(account).Child(change ? 1u : 0u) : scheme.AccountPath(0).Parent();
        var used = await store.UseIndexAsync(wallet.WalletId, chain.Id, branch.ToString(), index, principal, cancellationToken).ConfigureAwait(false);
        if (used >= KeyPath.HardenedBit) throw new InvalidInputException("index", "this branch has no unused index left below 2^31");
        var path = scheme.AddressPath(used, account, change);

        byte[] publicKey;
        if (chain.Curve == KeyCurve.Secp256k1)
        {
            var accountKey = await AccountXpubAsync(wallet, scheme.AccountPath(account), principal, cancellationToken).ConfigureAwait(false);
            publicKey = accountKey.Derive(change ? 1u : 0u).Derive(used).PublicKey.ToArray();
        }
        else
        {
            using var lease = await OpenKeysAsync(wallet, chain.Curve, cancellationToken).ConfigureAwait(false);
            publicKey = lease.Ring.GetPublicKey(path);
        }
        return new DerivedAddress(ChainAddresses.Derive(chain, publicKey, scheme.AddressKind), path, publicKey, used, scheme.AddressKind);
    }

    private static DerivedAddress NativeAddress(WalletRecord wallet, Chain chain, DerivationScheme scheme, uint account, bool change, uint? index)
    {
        if (wallet.Curve != chain.Curve) throw ApiException.WrongCurve(wallet.WalletId, chain.Id);
        if (account != 0) throw new InvalidInputException("account", "an HSM-native wallet has one key: account 0");
        if (change) throw new InvalidInputException("change", "an HSM-native wallet has one key and no change branch");
        if (index is > 0) throw new InvalidInputException("index", "an HSM-native wallet has one key: index 0");
        return new DerivedAddress(ChainAddresses.Derive(chain, wallet.PublicKey!, scheme.AddressKind), KeyPath.Root, wallet.PublicKey!, 0, scheme.AddressKind);
    }

    /// <summary>The account xpub at <paramref name="accountPath"/>: from memory, the database, or (once) the unsealed seed.</summary>
    public async Task<ExtendedPublicKey> AccountXpubAsync(WalletRecord wallet, KeyPath accountPath, string principal, CancellationToken cancellationToken)
    {
        if (wallet.Kind != WalletKind.Hd)
            throw new InvalidInputException("wallet_id", "an HSM-native wallet has no extended keys");
        var key = (wallet.WalletId, accountPath.ToString());
        if (_xpubs.TryGetValue(key, out var cached)) return cached;

        var stored = await store.GetAccountXpubAsync(wallet.WalletId, key.Item2, cancellationToken).ConfigureAwait(false);
        ExtendedPublicKey xpub;
        if (stored is not null)
        {
            xpub = ExtendedPublicKey.Parse(stored);
        }
        else
        {
            xpub = keys.DeriveAccountXpub(wallet, accountPath);
            await store.SaveAccountXpubAsync(wallet.WalletId, key.Item2, xpub.ToBase58(ExtendedKeyVersion.Xpub), principal, cancellationToken).ConfigureAwait(false);
            Log.AccountXpubStored(logger, key.Item2, wallet.WalletId);
        }
        _xpubs.TryAdd(key, xpub);
        return xpub;
    }
}

/// <summary>An address handed out, with how it was derived.</summary>
public sealed record DerivedAddress(string Address, KeyPath Path, byte[] PublicKey, uint Index, BitcoinAddressKind? Kind);
