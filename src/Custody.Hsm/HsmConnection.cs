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

    /// <summary>
    /// Whether the HSM answers now: one byte from its generator (microseconds, no key used). When every
    /// session is running an operation, the probe does not queue behind them: an operation finishing
    /// within the session wait shows a saturated token, none finishing a hung one. A load balancer
    /// should not take a signer out for being busy.
    /// </summary>
    public HsmProbe Probe()
    {
        var finished = _pool.FinishedOperations;
        try
        {
            if (_pool.LeasedSessions < _pool.MaxSessions)
            {
                Random.GetBytes(1);
                return new HsmProbe(HsmProbeState.Answering, "");
            }
        }
        catch (HsmUnavailableException e) when (e.SessionsBusy)
        {
            // every session became busy after the look above: judge by what finishes, as below
        }
        catch (HsmException e)
        {
            return new HsmProbe(HsmProbeState.Unavailable, e.Message);
        }
        return _pool.WaitForFinishedOperation(finished)
            ? new HsmProbe(HsmProbeState.Busy, $"all {_pool.MaxSessions} sessions are running operations, which finish")
            : new HsmProbe(HsmProbeState.Unavailable,
                $"all {_pool.MaxSessions} sessions are running operations and none finished within {_pool.SessionWaitTimeout.TotalSeconds:0.###} s");
    }

    /// <summary>How busy the session pool is now, for metrics.</summary>
    public HsmSessionUse Sessions => new(_pool.LeasedSessions, _pool.LiveSessions, _pool.MaxSessions);

    internal TokenSessionPool Pool => _pool;

    internal KeyEncryptionKeys KekStore => _keks;

    internal HsmKeyStore KeyStore => _keys;

    public void Dispose() => _pool.Dispose();

    public override string ToString() => $"HsmConnection(token '{TokenLabel}' on {ModulePath})";
}

/// <summary>What <see cref="HsmConnection.Probe"/> saw; <see cref="Detail"/> says why when not answering.</summary>
public readonly record struct HsmProbe(HsmProbeState State, string Detail);

public enum HsmProbeState
{
    /// <summary>The token gave a random byte.</summary>
    Answering,

    /// <summary>No session came free in time, but the token kept finishing other operations.</summary>
    Busy,

    /// <summary>The token is gone, refuses us, or no operation finished while every session was busy (hung).</summary>
    Unavailable,
}

/// <summary>PKCS#11 sessions: running an operation, open (leased or idle) and the most that may be open.</summary>
public readonly record struct HsmSessionUse(int Leased, int Open, int Max);
