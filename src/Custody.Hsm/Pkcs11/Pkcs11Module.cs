using System.Diagnostics;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Custody.Hsm.Pkcs11;

/// <summary>
/// The PKCS#11 module of this process: loaded once, initialised with OS locking for multi-threaded
/// use, shared by every token pool (a second IPkcs11Library would finalise the module under the
/// first one). It can be re-initialised (C_Finalize + C_Initialize) when a token becomes
/// unreachable: modules, SoftHSM included, only rescan their tokens then. A reader/writer gate
/// keeps re-initialisation away from operations in flight; <see cref="Generation"/> tells pools
/// that their sessions, slots and object handles belong to a finalised instance.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Lives as long as the module is loaded; the gate has no unmanaged state worth disposing.")]
internal sealed class Pkcs11Module
{
    private const string SoftHsmConfVariable = "SOFTHSM2_CONF";
    private static readonly Lock s_lock = new();
    private static Pkcs11Module? s_current;

    private readonly ReaderWriterLockSlim _gate = new(LockRecursionPolicy.NoRecursion);
    private IPkcs11Library? _library;
    private int _users;
    private long _lastReinitialisation;

    private Pkcs11Module(string path, string? softHsmConfig)
    {
        ModulePath = path;
        SoftHsmConfig = softHsmConfig;
        _library = Load();
        _lastReinitialisation = Stopwatch.GetTimestamp();
    }

    public string ModulePath { get; }

    public string? SoftHsmConfig { get; }

    public Pkcs11InteropFactories Factories { get; } = OwnedBufferSession.CreateFactories();

    /// <summary>Bumped by every re-initialisation; anything obtained under an older value is dead.</summary>
    public int Generation { get; private set; }

    /// <summary>Loads the module, or joins the already loaded one (it must be the same path and configuration).</summary>
    public static Pkcs11Module Acquire(string modulePath, string? softHsmConfigPath)
    {
        lock (s_lock)
        {
            var config = softHsmConfigPath is null ? null : Path.GetFullPath(softHsmConfigPath);
            if (s_current is { } current)
            {
                if (current.ModulePath != modulePath)
                    throw new HsmException(HsmError.Configuration,
                        $"PKCS#11 module {current.ModulePath} is already loaded in this process; one module per process, cannot also load {modulePath}");
                if (config is not null && current.SoftHsmConfig != config)
                    throw new HsmException(HsmError.Configuration,
                        $"the module is already loaded with {SoftHsmConfVariable}={current.SoftHsmConfig}; one configuration per process, cannot switch to {config}");
                current._users++;
                return current;
            }

            if (config is not null)
            {
                if (!File.Exists(config))
                    throw new HsmException(HsmError.Configuration, $"SoftHSM configuration {config} does not exist");
                NativeSupport.SetNativeEnvironment(SoftHsmConfVariable, config);
            }
            NativeSupport.InstallLibdlResolver();
            var module = new Pkcs11Module(modulePath, config ?? NativeSupport.GetNativeEnvironment(SoftHsmConfVariable));
            module._users = 1;
            s_current = module;
            return module;
        }
    }

    /// <summary>Gives up one use; the last one finalises the module so a later Acquire starts afresh.</summary>
    public void Release()
    {
        lock (s_lock)
        {
            if (--_users > 0) return;
            _gate.EnterWriteLock();
            try
            {
                Finalise();
                Generation++;
            }
            finally
            {
                _gate.ExitWriteLock();
            }
            s_current = null;
        }
    }

    /// <summary>Enters the gate for one operation; dispose the scope to leave it.</summary>
    public OperationScope EnterOperation()
    {
        _gate.EnterReadLock();
        if (_library is null)
        {
            _gate.ExitReadLock();
            throw new TokenLostException($"PKCS#11 module {ModulePath} is not initialised (its last re-initialisation failed)");
        }
        return new OperationScope(this, _library, Generation);
    }

    /// <summary>
    /// Re-initialises the module unless another thread already did since <paramref name="observedGeneration"/>
    /// or the last attempt was less than <paramref name="minInterval"/> ago. Waits for operations in
    /// flight to finish first. Returns whether a newer generation than the observed one is in place.
    /// </summary>
    public bool Reinitialise(int observedGeneration, TimeSpan minInterval)
    {
        _gate.EnterWriteLock();
        try
        {
            if (Generation != observedGeneration) return true;
            if (Stopwatch.GetElapsedTime(_lastReinitialisation) < minInterval) return false;
            _lastReinitialisation = Stopwatch.GetTimestamp();
            Finalise();
            Generation++;
            try
            {
                _library = Load();
            }
            catch (HsmException)
            {
                return false; // _library stays null: operations report unavailable until a later attempt works
            }
            return true;
        }
        finally
        {
            _gate.ExitWriteLock();
        }
    }

    private IPkcs11Library Load()
    {
        // Keep our own reference to the native module: Pkcs11Interop dlcloses it when the library object
        // is disposed, and modules that link OpenSSL do not reliably survive being unmapped and mapped again.
        if (!NativeLibrary.TryLoad(ModulePath, out _))
            throw new HsmException(HsmError.Configuration, $"cannot load PKCS#11 module {ModulePath}");
        try
        {
            return Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, ModulePath, AppType.MultiThreaded);
        }
        catch (Pkcs11Exception e)
        {
            throw new HsmException(HsmError.Configuration, $"cannot initialise PKCS#11 module {ModulePath}: {e.Method} returned {e.RV}", e);
        }
        catch (Exception e) when (e is UnmanagedException or DllNotFoundException or EntryPointNotFoundException)
        {
            throw new HsmException(HsmError.Configuration, $"cannot load PKCS#11 module {ModulePath}: {e.Message}", e);
        }
    }

    private void Finalise()
    {
        var library = _library;
        _library = null;
        try
        {
            library?.Dispose(); // C_Finalize: every session of this instance is gone with it
        }
        catch (Pkcs11Exception)
        {
            // A module that lost its device may refuse C_Finalize; the instance is abandoned either way.
        }
    }

    /// <summary>One operation's pass through the gate: the live library and its generation.</summary>
    public readonly struct OperationScope(Pkcs11Module module, IPkcs11Library library, int generation) : IDisposable
    {
        public IPkcs11Library Library { get; } = library;

        public int Generation { get; } = generation;

        public void Dispose() => module._gate.ExitReadLock();
    }
}
