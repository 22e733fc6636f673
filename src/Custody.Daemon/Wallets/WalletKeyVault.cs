using System.Diagnostics;
using Custody.Core.Ceremony;
using Custody.Core.Chains;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Hd.Bip32;
using Custody.Daemon.Configuration;
using Custody.Daemon.Metrics;
using Custody.Hsm;
using Custody.Core.Ledger;

namespace Custody.Daemon.Wallets;

/// <summary>
/// The wallet key vault, the only daemon code that touches key material: creates wallets (a seed from the HSM's
/// generator, sealed at once; or a key generated inside the HSM) and opens a wallet's keys
/// for one operation. An HD seed is unsealed only to derive its master node; the key ring built
/// on it stays in <see cref="KeyRingCache"/> while the wallet is busy (Hsm:KeyRingCacheSeconds
/// idle, then zeroed) or, with the cache off, only until the caller disposes its lease.
/// </summary>
public sealed class WalletKeyVault(HsmConnection hsm, HsmSettings settings, KeyRingCache rings, CustodyMetrics metrics, TimeProvider clock)
{
    /// <summary>A fresh HD seed: 32 bytes from the HSM, a BIP32 seed and a SLIP-39 master secret alike.</summary>
    public const int SeedLength = 32;

    public WalletRecord NewHdWallet(string name)
    {
        var walletId = WalletRecord.NewId();
        using var seed = new SecretBytes(SeedLength);
        Timed("random", () => hsm.Random.Fill(seed.WritableSpan));
        uint? fingerprint;
        using (var ring = new HdKeyRing(seed, KeyCurve.Secp256k1)) fingerprint = ring.MasterFingerprint;
        var kekVersion = CurrentKekVersion();
        var sealer = hsm.CreateSealer(kekVersion);
        var sealedSeed = Timed("seal", () => sealer.Seal(seed.Span, SeedBinding.AssociatedData(walletId, kekVersion)));
        return new WalletRecord(walletId, name, WalletKind.Hd, null, sealedSeed, kekVersion, null, null, fingerprint, Now(), WalletBackup.None);
    }

    public WalletRecord NewHsmNativeWallet(string name, KeyCurve curve)
    {
        var key = Timed("generate", () => hsm.Keys.Generate(curve));
        return new WalletRecord(WalletRecord.NewId(), name, WalletKind.HsmNative, curve, null, null, key.Id.ToString(), key.PublicKeyBytes(), null, Now(), WalletBackup.None);
    }

    /// <summary>The wallet's keys on <paramref name="curve"/>; dispose right after use.</summary>
    public KeyRingLease Open(WalletRecord wallet, KeyCurve curve)
    {
        ArgumentNullException.ThrowIfNull(wallet);
        if (wallet.Kind == WalletKind.HsmNative)
            return new KeyRingLease(new TimedKeyRing(new HsmKeyRing(hsm.Keys, HsmKeyId.Parse(wallet.HsmKeyId!), wallet.Curve!.Value, wallet.PublicKey!), metrics), null);

        return rings.Lease(wallet.WalletId, wallet.SealedSeed!, curve, () =>
        {
            using var seed = Unseal(wallet);
            return new HdKeyRing(seed, curve); // keeps the master node only; the seed is zeroed on leaving this scope
        });
    }

    /// <summary>The extended public key at <paramref name="accountPath"/> of an HD wallet (unseals the seed once).</summary>
    public ExtendedPublicKey DeriveAccountXpub(WalletRecord wallet, KeyPath accountPath)
    {
        using var seed = Unseal(wallet);
        using var master = ExtendedPrivateKey.FromSeed(seed.Span);
        using var account = master.Derive(accountPath);
        return account.Neuter();
    }

    // The blob names the KEK version it was sealed under; the sealer follows the blob.
    private SecretBytes Unseal(WalletRecord wallet) =>
        Timed("unseal", () => hsm.CreateSealer(wallet.KekVersion!.Value).Unseal(wallet.SealedSeed, SeedBinding.AssociatedData(wallet.WalletId, wallet.KekVersion!.Value)));

    private int CurrentKekVersion()
    {
        if (settings.KekVersion > 0) return settings.KekVersion;
        var versions = Timed("list KEKs", () => hsm.Keks.Versions());
        return versions.Count > 0 ? versions[^1] : throw new HsmException(HsmError.KeyNotFound, "the token holds no KEK: run custody-admin init");
    }

    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());

    private T Timed<T>(string operation, Func<T> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return call();
        }
        catch
        {
            metrics.HsmError(operation);
            throw;
        }
        finally
        {
            metrics.HsmOperation(operation, Stopwatch.GetElapsedTime(started));
        }
    }

    private void Timed(string operation, Action call) => Timed(operation, () => { call(); return 0; });

    /// <summary>Times the HSM-native signatures too, which happen inside the chain codec.</summary>
    private sealed class TimedKeyRing(IKeyRing inner, CustodyMetrics metrics) : IKeyRing
    {
        public uint? MasterFingerprint => inner.MasterFingerprint;

        public KeyCurve Curve => inner.Curve;

        public byte[] GetPublicKey(KeyPath path) => inner.GetPublicKey(path);

        public EcdsaSignature SignEcdsa(KeyPath path, ReadOnlySpan<byte> digest32)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                return inner.SignEcdsa(path, digest32);
            }
            catch (HsmException)
            {
                metrics.HsmError("sign");
                throw;
            }
            finally
            {
                metrics.HsmOperation("sign", Stopwatch.GetElapsedTime(started));
            }
        }

        public byte[] SignTaproot(KeyPath path, ReadOnlySpan<byte> sighash32, ReadOnlySpan<byte> merkleRoot) =>
            inner.SignTaproot(path, sighash32, merkleRoot);

        public byte[] SignSchnorr(KeyPath path, ReadOnlySpan<byte> sighash32) => inner.SignSchnorr(path, sighash32);

        public byte[] SignEd25519(KeyPath path, ReadOnlySpan<byte> message)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                return inner.SignEd25519(path, message);
            }
            catch (HsmException)
            {
                metrics.HsmError("sign");
                throw;
            }
            finally
            {
                metrics.HsmOperation("sign", Stopwatch.GetElapsedTime(started));
            }
        }
    }
}

/// <summary>An opened key ring; disposing it zeroes whatever it derived in process.</summary>
public sealed class KeyRingLease(IKeyRing ring, IDisposable? owned) : IDisposable
{
    public IKeyRing Ring { get; } = ring;

    public void Dispose() => owned?.Dispose();
}
