using Custody.Hsm.Keys;
using Custody.Hsm.Pkcs11;
using Custody.Hsm.Sealing;

namespace Custody.Hsm;

/// <summary>
/// One logged-in token: random bytes, KEKs and sealing, key pairs. Open it once and share it: every
/// member is thread-safe, and a bounded session pool underneath gives each concurrent operation its
/// own session. Several connections (to different tokens) may exist in a process; they share the one
/// loaded module. Dispose it after the last operation has returned.
/// </summary>
public sealed class HsmConnection : IDisposable
{
    private readonly TokenSessionPool _pool;
    private readonly KeyEncryptionKeys _keks;
    private readonly HsmKeyStore _keys;

    private HsmConnection(TokenSessionPool pool)
    {
        _pool = pool;
        _keks = new KeyEncryptionKeys(pool);
        _keys = new HsmKeyStore(pool);
        Random = new HsmRandom(pool);
    }

    /// <summary>
    /// Loads the module if needed, finds the token by label and logs in now, so a wrong PIN or a
    /// missing token shows at start-up rather than at the first signature.
    /// </summary>
    public static HsmConnection Open(HsmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var pool = new TokenSessionPool(Pkcs11Module.Acquire(options.ModulePath, options.SoftHsmConfigPath), options);
        try
        {
            pool.Execute("log in", _ => true);
            return new HsmConnection(pool);
        }
        catch
        {
            pool.Dispose();
            throw;
        }
    }

    public string TokenLabel => _pool.TokenLabel;

    public string ModulePath => _pool.ModulePath;

    public IHsmRandom Random { get; }

    public IKeyEncryptionKeys Keks => _keks;

    public IHsmKeyStore Keys => _keys;

    /// <summary>A sealer that seals under KEK <paramref name="kekVersion"/> (which must exist) and unseals any version on the token.</summary>
    public IBlobSealer CreateSealer(int kekVersion)
    {
        if (!_keks.Exists(kekVersion))
            throw new HsmException(HsmError.KeyNotFound, $"KEK v{kekVersion} not found on token '{TokenLabel}'; create it first");
        return new BlobSealer(_pool, _keks, kekVersion);
    }

    /// <summary>How busy the session pool is now, for metrics.</summary>
    public HsmSessionUse Sessions => new(_pool.LeasedSessions, _pool.LiveSessions, _pool.MaxSessions);

    internal TokenSessionPool Pool => _pool;

    internal KeyEncryptionKeys KekStore => _keks;

    internal HsmKeyStore KeyStore => _keys;

    public void Dispose() => _pool.Dispose();

    public override string ToString() => $"HsmConnection(token '{TokenLabel}' on {ModulePath})";
}

/// <summary>PKCS#11 sessions: running an operation, open (leased or idle) and the most that may be open.</summary>
public readonly record struct HsmSessionUse(int Leased, int Open, int Max);
