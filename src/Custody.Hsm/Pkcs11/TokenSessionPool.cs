using System.Collections.Concurrent;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Custody.Hsm.Pkcs11;

/// <summary>
/// A bounded pool of logged-in read-write sessions to one token, found by label. Thread-safe: any
/// number of threads may call <see cref="Execute{T}"/>; at most MaxSessions operations run at once,
/// each on its own session, the others wait up to SessionWaitTimeout.
///
/// Failure handling, in one place: when an operation loses its session, its login or its token
/// (see <see cref="Pkcs11Errors.IsSessionLoss(CKR)"/>), the session is dropped, the pool checks that
/// the token still answers on the current module instance, re-initialises the module if it does not
/// (at most once per RecoveryInterval), and runs the operation once more on a fresh session. If that
/// fails too, the caller gets <see cref="HsmUnavailableException"/> — never a raw PKCS#11 code.
/// Work may therefore run twice: signing, sealing and reading are safe to repeat; a key generation
/// interrupted after C_GenerateKeyPair can leave an unused key pair behind.
/// </summary>
internal sealed class TokenSessionPool : IDisposable
{
    private readonly Pkcs11Module _module;
    private readonly HsmOptions _options;
    private readonly SemaphoreSlim _permits;
    private readonly ConcurrentStack<TokenSession> _idle = new();
    private readonly Lock _bindLock = new();
    private TokenBinding? _binding;
    private int _leased;
    private int _peakLeased;
    private int _opened;
    private int _live;
    private int _dropped;
    private long _finished;
    private int _probesWaiting;
    private bool _disposed;

    public TokenSessionPool(Pkcs11Module module, HsmOptions options)
    {
        _module = module;
        _options = options;
        _permits = new SemaphoreSlim(options.MaxSessions, options.MaxSessions);
    }

    public string TokenLabel => _options.TokenLabel;

    public string ModulePath => _module.ModulePath;

    /// <summary>Sessions opened so far (for tests and diagnostics).</summary>
    public int OpenedSessions => Volatile.Read(ref _opened);

    /// <summary>Sessions open right now, idle or leased; never more than MaxSessions.</summary>
    public int LiveSessions => Volatile.Read(ref _live);

    /// <summary>Sessions dropped after a failure (for tests and diagnostics).</summary>
    public int DroppedSessions => Volatile.Read(ref _dropped);

    /// <summary>Sessions running an operation right now.</summary>
    public int LeasedSessions => Volatile.Read(ref _leased);

    /// <summary>Most sessions open at once (the configured MaxSessions).</summary>
    public int MaxSessions => _options.MaxSessions;

    /// <summary>Operations the token answered (successfully or with a verdict), ever: tells a busy token from a hung one.</summary>
    public long FinishedOperations => Interlocked.Read(ref _finished);

    public TimeSpan SessionWaitTimeout => _options.SessionWaitTimeout;

    /// <summary>Waits up to the session wait for <see cref="FinishedOperations"/> to pass <paramref name="seen"/>.</summary>
    public bool WaitForFinishedOperation(long seen)
    {
        var deadline = Environment.TickCount64 + (long)_options.SessionWaitTimeout.TotalMilliseconds;
        Interlocked.Increment(ref _probesWaiting);
        try
        {
            while (FinishedOperations == seen)
            {
                if (Environment.TickCount64 >= deadline) return false;
                Thread.Sleep(10); // a probe, seconds apart: polling costs nothing worth an event on the signing path
            }
            return true;
        }
        finally
        {
            Interlocked.Decrement(ref _probesWaiting);
        }
    }

    /// <summary>Probes waiting in <see cref="WaitForFinishedOperation"/> now (for tests and diagnostics).</summary>
    public int ProbesWaiting => Volatile.Read(ref _probesWaiting);

    /// <summary>Most sessions ever leased at the same time.</summary>
    public int PeakLeasedSessions => Volatile.Read(ref _peakLeased);

    /// <summary>Runs <paramref name="work"/> on a leased session; see the class comment for failures.</summary>
    public T Execute<T>(string operation, Func<TokenSession, T> work)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_permits.Wait(_options.SessionWaitTimeout))
            throw HsmUnavailableException.Busy(
                $"{operation}: all {_options.MaxSessions} sessions to token '{TokenLabel}' stayed busy for {_options.SessionWaitTimeout.TotalSeconds:0.###} s");
        try
        {
            Exception? loss = null;
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var generation = _module.Generation;
                Pkcs11Module.OperationScope scope;
                try
                {
                    scope = _module.EnterOperation();
                }
                catch (TokenLostException e)
                {
                    loss = e; // the module instance itself is gone (its last re-initialisation failed)
                    if (attempt == 0) Recover(generation);
                    continue;
                }
                using (scope)
                {
                    generation = scope.Generation;
                    TokenSession? session = null;
                    try
                    {
                        session = Lease(scope);
                        var result = work(session);
                        Return(session);
                        return result;
                    }
                    catch (Exception e) when (Pkcs11Errors.IsSessionLoss(e))
                    {
                        Drop(session, stillOpen: false);
                        loss = e;
                    }
                    catch (HsmException) when (session is not null)
                    {
                        Return(session); // our own verdict (key not found, blob refused): the session is fine
                        throw;
                    }
                    catch (Pkcs11Exception e)
                    {
                        Drop(session, stillOpen: true);
                        throw Pkcs11Errors.ToHsmException(e, operation, TokenLabel);
                    }
                    catch
                    {
                        Drop(session, stillOpen: true);
                        throw;
                    }
                }
                if (attempt == 0) Recover(generation);
            }
            throw new HsmUnavailableException($"{operation}: token '{TokenLabel}' is unavailable: {Describe(loss)}", loss!);
        }
        finally
        {
            _permits.Release();
        }
    }

    /// <summary>Test hook: closes every session of the application on the token, as another component or a token reset would.</summary>
    internal void CloseAllSessionsBehindThePoolsBack()
    {
        using var scope = _module.EnterOperation();
        FindSlot(scope.Library).CloseAllSessions();
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        while (_idle.TryPop(out var session))
            Drop(session, stillOpen: true, counted: false);
        _module.Release();
        _permits.Dispose();
    }

    private TokenSession Lease(Pkcs11Module.OperationScope scope)
    {
        var binding = Bind(scope);
        while (_idle.TryPop(out var idle))
        {
            if (idle.Binding == binding) return Leased(idle);
            Drop(idle, stillOpen: true, counted: false);
        }

        var session = (OwnedBufferSession)binding.Slot.OpenSession(SessionType.ReadWrite); // made by our factory
        try
        {
            EnsureLoggedIn(session);
        }
        catch
        {
            try
            {
                session.Dispose();
            }
            catch (Pkcs11Exception)
            {
                // Keep the login failure, not the close failure.
            }
            throw;
        }
        Interlocked.Increment(ref _opened);
        Interlocked.Increment(ref _live);
        return Leased(new TokenSession(session, binding, _module.Factories, TokenLabel));
    }

    private TokenSession Leased(TokenSession session)
    {
        var now = Interlocked.Increment(ref _leased);
        int peak;
        while (now > (peak = Volatile.Read(ref _peakLeased)) && Interlocked.CompareExchange(ref _peakLeased, now, peak) != peak)
        {
        }
        return session;
    }

    private void Return(TokenSession session)
    {
        Interlocked.Increment(ref _finished);
        Interlocked.Decrement(ref _leased);
        _idle.Push(session);
    }

    /// <summary>
    /// Lets go of a session. A session the module already forgot (or one of a finalised module instance)
    /// is not closed: its handle number may by now belong to someone else's session, so we only stop
    /// its finaliser from closing it later.
    /// </summary>
    private void Drop(TokenSession? session, bool stillOpen, bool counted = true)
    {
        if (session is null) return;
        Interlocked.Decrement(ref _live);
        if (counted)
        {
            Interlocked.Decrement(ref _leased);
            Interlocked.Increment(ref _dropped);
        }
        if (stillOpen && session.Binding.Generation == _module.Generation)
        {
            try
            {
                session.Session.Dispose();
                return;
            }
            catch (Exception e) when (e is Pkcs11Exception or ObjectDisposedException)
            {
                // Already gone; fall through.
            }
        }
#pragma warning disable CA1816 // deliberately: stop Pkcs11Interop's finaliser from closing a handle that is not ours any more
        GC.SuppressFinalize(session.Session);
#pragma warning restore CA1816
    }

    private TokenBinding Bind(Pkcs11Module.OperationScope scope)
    {
        var binding = _binding;
        if (binding is not null && binding.Generation == scope.Generation) return binding;
        lock (_bindLock)
        {
            if (_binding is not null && _binding.Generation == scope.Generation) return _binding;
            _binding = new TokenBinding(FindSlot(scope.Library), scope.Generation);
            return _binding;
        }
    }

    private ISlot FindSlot(IPkcs11Library library) =>
        TokenSlots.FindByLabel(library, TokenLabel, ModulePath) ?? throw new TokenLostException($"no token labelled '{TokenLabel}' on {ModulePath}");

    private void EnsureLoggedIn(ISession session)
    {
        // Login state belongs to the application, not the session: while any session is logged in,
        // new ones are too. Only the first session after a (re)start or a full close needs the PIN.
        if (session.GetSessionInfo().State is CKS.CKS_RW_USER_FUNCTIONS or CKS.CKS_RO_USER_FUNCTIONS) return;
        using var pin = _options.UserPin.Read();
        try
        {
            session.Login(CKU.CKU_USER, pin.Bytes);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
        {
            // Another thread logged in between our check and our call.
        }
        catch (Pkcs11Exception e) when (e.RV is CKR.CKR_PIN_INCORRECT or CKR.CKR_PIN_INVALID or CKR.CKR_PIN_LEN_RANGE)
        {
            throw new HsmException(HsmError.PinIncorrect, $"user PIN incorrect for token '{TokenLabel}' (read from {_options.UserPin})", e);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_PIN_LOCKED)
        {
            throw new HsmException(HsmError.PinLocked,
                $"user PIN of token '{TokenLabel}' is locked after too many failures; a security officer must set a new one (C_InitPIN)", e);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_PIN_NOT_INITIALIZED)
        {
            throw new HsmException(HsmError.Configuration, $"token '{TokenLabel}' has no user PIN yet; initialise it first", e);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ANOTHER_ALREADY_LOGGED_IN)
        {
            throw new HsmException(HsmError.Configuration, $"the security officer is logged in to token '{TokenLabel}' in this process; log out first", e);
        }
    }

    /// <summary>
    /// After a loss: forget the slot; if the token still answers on the current module instance the
    /// next attempt simply opens a fresh session, otherwise re-initialise the module (rate-limited).
    /// </summary>
    private void Recover(int observedGeneration)
    {
        lock (_bindLock)
        {
            if (_binding?.Generation == observedGeneration) _binding = null;
        }
        try
        {
            using var scope = _module.EnterOperation();
            if (scope.Generation != observedGeneration) return;
            FindSlot(scope.Library).GetTokenInfo();
            return;
        }
        catch (Exception e) when (e is TokenLostException or Pkcs11Exception or ObjectDisposedException)
        {
            // The token does not answer here: only a fresh module instance may see it again.
        }
        _module.Reinitialise(observedGeneration, _options.RecoveryInterval);
    }

    private static string Describe(Exception? e) => e switch
    {
        Pkcs11Exception p => $"{p.Method} returned {p.RV}",
        null => "no detail",
        _ => e.Message,
    };
}
