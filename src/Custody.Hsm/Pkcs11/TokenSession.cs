using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;
using Net.Pkcs11Interop.HighLevelAPI.Factories;

namespace Custody.Hsm.Pkcs11;

/// <summary>
/// One logged-in session, leased to exactly one operation at a time (sessions are not safe to share
/// between threads, even with OS locking), with the helpers every operation needs.
/// </summary>
internal sealed class TokenSession(OwnedBufferSession session, TokenBinding binding, Pkcs11InteropFactories factories, string tokenLabel)
{
    /// <summary>The session; what carries secrets goes through its own-buffer calls (EncryptSecret, DecryptSecret, FillRandom).</summary>
    public OwnedBufferSession Session { get; } = session;

    public TokenBinding Binding { get; } = binding;

    public Pkcs11InteropFactories Factories { get; } = factories;

    public string TokenLabel { get; } = tokenLabel;

    public IObjectAttributeFactory Attributes => Factories.ObjectAttributeFactory;

    public IMechanism Mechanism(CKM type) => Factories.MechanismFactory.Create(type);

    /// <summary>For mechanisms Pkcs11Interop 5.3 has no enum member for (the Edwards curve ones).</summary>
    public IMechanism Mechanism(ulong type) => Factories.MechanismFactory.Create(type);

    /// <summary>
    /// Runs <paramref name="use"/> on the single object matching <paramref name="template"/>, from the
    /// handle cache when possible. A cached handle the module no longer knows is found again once.
    /// </summary>
    public T UseObject<T>(string cacheKey, Func<List<IObjectAttribute>> template, string whatIsMissing, Func<IObjectHandle, T> use)
    {
        var handle = FindOne(cacheKey, template, whatIsMissing);
        try
        {
            return use(handle);
        }
        catch (Pkcs11Exception e) when (Pkcs11Errors.IsStaleHandle(e))
        {
            Binding.Handles.TryRemove(cacheKey, out _);
            return use(FindOne(cacheKey, template, whatIsMissing));
        }
    }

    /// <summary>The single object matching the template (cached), or a typed error when there is none or more than one.</summary>
    public IObjectHandle FindOne(string cacheKey, Func<List<IObjectAttribute>> template, string whatIsMissing)
    {
        if (Binding.Handles.TryGetValue(cacheKey, out var cached)) return cached;
        var found = FindAll(template());
        if (found.Count == 0)
        {
            EnsureTokenPresent();
            throw new HsmException(HsmError.KeyNotFound, $"{whatIsMissing} not found on token '{TokenLabel}'");
        }
        if (found.Count > 1)
            throw new HsmException(HsmError.DuplicateObject, $"{found.Count} objects on token '{TokenLabel}' claim to be {whatIsMissing}; refusing to guess");
        Binding.Handles[cacheKey] = found[0];
        return found[0];
    }

    public List<IObjectHandle> FindAll(List<IObjectAttribute> template)
    {
        try
        {
            return Session.FindAllObjects(template);
        }
        finally
        {
            DisposeAll(template);
        }
    }

    /// <summary>
    /// Tells an empty search from a vanished token: a module whose token went away may keep
    /// answering searches with nothing (SoftHSM does), while C_GetTokenInfo fails.
    /// </summary>
    public void EnsureTokenPresent()
    {
        try
        {
            Binding.Slot.GetTokenInfo();
        }
        catch (Pkcs11Exception e)
        {
            throw new TokenLostException($"token '{TokenLabel}' stopped answering ({e.Method} returned {e.RV})", e);
        }
    }

    /// <summary>Reads attributes; values that may not be read come back with CannotBeRead set.</summary>
    public List<IObjectAttribute> Read(IObjectHandle handle, params CKA[] attributes) =>
        Session.GetAttributeValue(handle, [.. attributes]);

    public void Remember(string cacheKey, IObjectHandle handle) => Binding.Handles[cacheKey] = handle;

    public void Forget(string cacheKey) => Binding.Handles.TryRemove(cacheKey, out _);

    /// <summary>Attribute objects hold unmanaged memory; free it now rather than in a finaliser.</summary>
    public static void DisposeAll(List<IObjectAttribute> attributes)
    {
        foreach (var attribute in attributes)
            (attribute as IDisposable)?.Dispose();
    }
}
