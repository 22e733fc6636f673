using System.Globalization;
using Custody.Core;
using Custody.Hsm.Pkcs11;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Custody.Hsm.Sealing;

/// <summary>
/// The versioned KEKs (AES-256, label "custody-kek-v{N}"). Creation is serialised in this process
/// so two threads cannot both create the same version; the token itself would accept duplicates,
/// and a lookup that finds two refuses to pick one.
/// </summary>
internal sealed class KeyEncryptionKeys(TokenSessionPool pool) : IKeyEncryptionKeys
{
    private const string LabelPrefix = "custody-kek-v";
    private readonly Lock _createLock = new();

    // Versions seen on the token: Exists answers from here without a C_FindObjects (linear in the
    // token's objects), since every unseal asks. A KEK destroyed elsewhere shows at its next use.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, bool> _present = new();

    public bool Ensure(int version)
    {
        CheckVersion(version);
        return pool.Execute($"create KEK v{version}", s =>
        {
            lock (_createLock)
            {
                var found = s.FindAll(Template(s, version));
                if (found.Count > 1)
                    throw new HsmException(HsmError.DuplicateObject, $"{found.Count} objects on token '{s.TokenLabel}' are labelled {Label(version)}");
                if (found.Count == 1)
                {
                    RequireProtected(s, found[0], version);
                    s.Remember(CacheKey(version), found[0]);
                    return false;
                }

                var template = new List<IObjectAttribute>
                {
                    s.Attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                    s.Attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                    s.Attributes.Create(CKA.CKA_VALUE_LEN, 32UL),
                    s.Attributes.Create(CKA.CKA_TOKEN, true),
                    s.Attributes.Create(CKA.CKA_PRIVATE, true),
                    s.Attributes.Create(CKA.CKA_SENSITIVE, true),
                    s.Attributes.Create(CKA.CKA_EXTRACTABLE, false),
                    s.Attributes.Create(CKA.CKA_ENCRYPT, true),
                    s.Attributes.Create(CKA.CKA_DECRYPT, true),
                    s.Attributes.Create(CKA.CKA_WRAP, false),
                    s.Attributes.Create(CKA.CKA_UNWRAP, false),
                    s.Attributes.Create(CKA.CKA_LABEL, Label(version)),
                };
                try
                {
                    using var mechanism = s.Mechanism(CKM.CKM_AES_KEY_GEN);
                    s.Remember(CacheKey(version), s.Session.GenerateKey(mechanism, template));
                }
                finally
                {
                    TokenSession.DisposeAll(template);
                }
                return true;
            }
        });
    }

    public bool Exists(int version)
    {
        CheckVersion(version);
        if (_present.ContainsKey(version)) return true;
        return pool.Execute($"find KEK v{version}", s =>
        {
            if (s.FindAll(Template(s, version)).Count > 0) return _present[version] = true;
            s.EnsureTokenPresent();
            return false;
        });
    }

    public IReadOnlyList<int> Versions() => pool.Execute("list KEKs", s =>
    {
        var versions = new SortedSet<int>();
        foreach (var handle in s.FindAll([s.Attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY)]))
        {
            var label = s.Read(handle, CKA.CKA_LABEL);
            try
            {
                if (!label[0].CannotBeRead && TryParseLabel(label[0].GetValueAsString(), out var version)) versions.Add(version);
            }
            finally
            {
                TokenSession.DisposeAll(label);
            }
        }
        if (versions.Count == 0) s.EnsureTokenPresent();
        return (IReadOnlyList<int>)[.. versions];
    });

    public bool Destroy(int version)
    {
        CheckVersion(version);
        return pool.Execute($"destroy KEK v{version}", s =>
        {
            var found = s.FindAll(Template(s, version));
            foreach (var handle in found) s.Session.DestroyObject(handle);
            s.Forget(CacheKey(version));
            _present.TryRemove(version, out _);
            if (found.Count == 0) s.EnsureTokenPresent();
            return found.Count > 0;
        });
    }

    /// <summary>Runs <paramref name="use"/> with the handle of KEK <paramref name="version"/> (cached, re-found when stale).</summary>
    internal T Use<T>(TokenSession s, int version, Func<IObjectHandle, T> use) =>
        s.UseObject(CacheKey(version), () => Template(s, version), $"KEK v{version}", use);

    /// <summary>Test hook: how the token protects a KEK.</summary>
    internal ObjectProtection Describe(int version) => pool.Execute($"describe KEK v{version}", s =>
        ObjectProtection.Read(s, s.FindOne(CacheKey(version), () => Template(s, version), $"KEK v{version}")));

    internal static void CheckVersion(int version)
    {
        if (version < 1) throw new InvalidInputException("kekVersion", $"KEK versions start at 1, got {version}");
    }

    private static void RequireProtected(TokenSession s, IObjectHandle handle, int version)
    {
        var shape = s.Read(handle, CKA.CKA_KEY_TYPE, CKA.CKA_VALUE_LEN, CKA.CKA_SENSITIVE, CKA.CKA_EXTRACTABLE);
        try
        {
            var fits = !shape.Any(a => a.CannotBeRead)
                && shape[0].GetValueAsUlong() == (ulong)CKK.CKK_AES
                && shape[1].GetValueAsUlong() == 32
                && shape[2].GetValueAsBool()
                && !shape[3].GetValueAsBool();
            if (!fits)
                throw new HsmException(HsmError.Configuration,
                    $"the object labelled {Label(version)} on token '{s.TokenLabel}' is not a sensitive, non-extractable AES-256 key; refusing to use it as a KEK");
        }
        finally
        {
            TokenSession.DisposeAll(shape);
        }
    }

    private static List<IObjectAttribute> Template(TokenSession s, int version) =>
    [
        s.Attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
        s.Attributes.Create(CKA.CKA_LABEL, Label(version)),
    ];

    private static bool TryParseLabel(string label, out int version)
    {
        version = 0;
        return label.StartsWith(LabelPrefix, StringComparison.Ordinal)
            && int.TryParse(label.AsSpan(LabelPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out version)
            && version > 0;
    }

    private static string Label(int version) => LabelPrefix + version.ToString(CultureInfo.InvariantCulture);

    private static string CacheKey(int version) => $"kek:{version}";
}
