using System.Collections.Concurrent;
using Custody.Core;
using Custody.Core.Chains;
using Custody.Hsm.Pkcs11;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Custody.Hsm.Keys;

/// <summary>
/// Key pairs generated in the HSM. Both halves carry CKA_ID = the 16-byte <see cref="HsmKeyId"/> and
/// CKA_LABEL = "custody-key-{id}"; the private half is sensitive and never extractable. The token
/// itself does not keep ids unique, so ids are drawn from the HSM generator and checked against the
/// token under a lock before use (another process generating at the same instant could only clash
/// with probability 2^-128).
/// </summary>
internal sealed class HsmKeyStore(TokenSessionPool pool) : IHsmKeyStore
{
    private const string LabelPrefix = "custody-key-";
    private readonly Lock _generateLock = new();
    private readonly ConcurrentDictionary<HsmKeyId, HsmKeyInfo> _known = new();
    private readonly ConcurrentDictionary<HsmKeyId, KeyCurve> _curves = new();

    public HsmKeyInfo Generate(KeyCurve curve)
    {
        var parameters = CurveParameters.Of(curve);
        return pool.Execute($"generate {curve} key", s =>
        {
            lock (_generateLock)
            {
                var id = NewUniqueId(s);
                var publicTemplate = new List<IObjectAttribute>
                {
                    s.Attributes.Create(CKA.CKA_CLASS, CKO.CKO_PUBLIC_KEY),
                    s.Attributes.Create(CKA.CKA_KEY_TYPE, parameters.KeyType),
                    s.Attributes.Create(CKA.CKA_TOKEN, true),
                    s.Attributes.Create(CKA.CKA_PRIVATE, false),
                    s.Attributes.Create(CKA.CKA_VERIFY, true),
                    s.Attributes.Create(CKA.CKA_EC_PARAMS, parameters.EcParams),
                    s.Attributes.Create(CKA.CKA_ID, id.ToBytes()),
                    s.Attributes.Create(CKA.CKA_LABEL, Label(id)),
                };
                var privateTemplate = new List<IObjectAttribute>
                {
                    s.Attributes.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY),
                    s.Attributes.Create(CKA.CKA_KEY_TYPE, parameters.KeyType),
                    s.Attributes.Create(CKA.CKA_TOKEN, true),
                    s.Attributes.Create(CKA.CKA_PRIVATE, true),
                    s.Attributes.Create(CKA.CKA_SENSITIVE, true),
                    s.Attributes.Create(CKA.CKA_EXTRACTABLE, false),
                    s.Attributes.Create(CKA.CKA_SIGN, true),
                    s.Attributes.Create(CKA.CKA_ID, id.ToBytes()),
                    s.Attributes.Create(CKA.CKA_LABEL, Label(id)),
                };
                IObjectHandle publicKey, privateKey;
                try
                {
                    using var mechanism = s.Mechanism(parameters.GenerateMechanism);
                    s.Session.GenerateKeyPair(mechanism, publicTemplate, privateTemplate, out publicKey, out privateKey);
                }
                finally
                {
                    TokenSession.DisposeAll(publicTemplate);
                    TokenSession.DisposeAll(privateTemplate);
                }
                var info = new HsmKeyInfo(id, curve, PublicKeyOf(s, publicKey, parameters, id));
                s.Remember(PrivateKeyCacheKey(id), privateKey);
                _known[id] = info;
                _curves[id] = curve;
                return info;
            }
        });
    }

    public HsmKeyInfo Get(HsmKeyId id)
    {
        if (_known.TryGetValue(id, out var info)) return info;
        info = pool.Execute("read public key", s =>
        {
            var handle = s.FindOne($"pub:{id}", () => Template(s, CKO.CKO_PUBLIC_KEY, id), $"key {id}");
            return Describe(s, handle) ?? throw new HsmException(HsmError.WrongKeyType, $"key {id} is not a secp256k1 or Ed25519 key");
        });
        _known[id] = info;
        return info;
    }

    public IReadOnlyList<HsmKeyInfo> List() => pool.Execute("list keys", s =>
    {
        var keys = new List<HsmKeyInfo>();
        foreach (var handle in s.FindAll([s.Attributes.Create(CKA.CKA_CLASS, CKO.CKO_PUBLIC_KEY)]))
        {
            if (Describe(s, handle) is { } info) keys.Add(info);
        }
        if (keys.Count == 0) s.EnsureTokenPresent();
        keys.Sort((a, b) => string.CompareOrdinal(a.Id.ToString(), b.Id.ToString()));
        return (IReadOnlyList<HsmKeyInfo>)keys;
    });

    public byte[] SignDigest(HsmKeyId id, ReadOnlySpan<byte> digest32)
    {
        if (digest32.Length != 32)
            throw new InvalidInputException("digest", $"an ECDSA digest is 32 bytes, got {digest32.Length}");
        var digest = digest32.ToArray();
        var raw = Sign(id, KeyCurve.Secp256k1, "sign digest", digest);
        try
        {
            return Secp256k1Math.NormalizeLowS(raw);
        }
        catch (FormatException e)
        {
            throw new HsmException(HsmError.OperationFailed, $"token '{pool.TokenLabel}' returned a malformed ECDSA signature for key {id}: {e.Message}", e);
        }
    }

    public byte[] SignMessage(HsmKeyId id, ReadOnlySpan<byte> message)
    {
        var signature = Sign(id, KeyCurve.Ed25519, "sign message", message.ToArray());
        if (signature.Length != 64)
            throw new HsmException(HsmError.OperationFailed, $"token '{pool.TokenLabel}' returned a {signature.Length}-byte Ed25519 signature for key {id}");
        return signature;
    }

    public bool Destroy(HsmKeyId id)
    {
        var destroyed = pool.Execute("destroy key", s =>
        {
            var count = 0;
            foreach (var handle in s.FindAll([s.Attributes.Create(CKA.CKA_ID, id.ToBytes()), s.Attributes.Create(CKA.CKA_LABEL, Label(id))]))
            {
                s.Session.DestroyObject(handle);
                count++;
            }
            s.Forget(PrivateKeyCacheKey(id));
            s.Forget($"pub:{id}");
            if (count == 0) s.EnsureTokenPresent();
            return count > 0;
        });
        _known.TryRemove(id, out _);
        _curves.TryRemove(id, out _);
        return destroyed;
    }

    /// <summary>Test hook: the protection attributes of a key's private half, read through the session.</summary>
    internal ObjectProtection DescribePrivateKey(HsmKeyId id) => pool.Execute("describe key", s =>
        ObjectProtection.Read(s, s.FindOne(PrivateKeyCacheKey(id), () => Template(s, CKO.CKO_PRIVATE_KEY, id), $"key {id}")));

    private byte[] Sign(HsmKeyId id, KeyCurve needed, string operation, byte[] data) => pool.Execute(operation, s =>
        s.UseObject(PrivateKeyCacheKey(id), () => Template(s, CKO.CKO_PRIVATE_KEY, id), $"key {id}", handle =>
        {
            var curve = CurveOf(s, id, handle);
            if (curve != needed)
                throw new HsmException(HsmError.WrongKeyType, $"key {id} is a {curve} key; {operation} needs a {needed} key");
            using var mechanism = s.Mechanism(CurveParameters.Of(curve).SignMechanism);
            return s.Session.Sign(mechanism, handle, data);
        }));

    private KeyCurve CurveOf(TokenSession s, HsmKeyId id, IObjectHandle privateKey)
    {
        if (_curves.TryGetValue(id, out var known)) return known;
        var shape = s.Read(privateKey, CKA.CKA_KEY_TYPE, CKA.CKA_EC_PARAMS);
        try
        {
            var parameters = shape[0].CannotBeRead || shape[1].CannotBeRead
                ? null
                : CurveParameters.Recognise(shape[0].GetValueAsUlong(), shape[1].GetValueAsByteArray());
            if (parameters is null)
                throw new HsmException(HsmError.WrongKeyType, $"key {id} is not a secp256k1 or Ed25519 key");
            _curves[id] = parameters.Curve;
            return parameters.Curve;
        }
        finally
        {
            TokenSession.DisposeAll(shape);
        }
    }

    private static HsmKeyId NewUniqueId(TokenSession s)
    {
        for (var attempt = 0; attempt < 4; attempt++)
        {
            var bytes = new byte[HsmKeyId.Length];
            s.Session.FillRandom(bytes);
            var id = HsmKeyId.FromBytes(bytes);
            if (s.FindAll([s.Attributes.Create(CKA.CKA_ID, id.ToBytes())]).Count == 0) return id;
        }
        throw new HsmException(HsmError.OperationFailed, $"token '{s.TokenLabel}' kept producing key ids that are already taken; its random generator is suspect");
    }

    /// <summary>The key described by a public-key object, or null when the object is not one of ours.</summary>
    private static HsmKeyInfo? Describe(TokenSession s, IObjectHandle publicKey)
    {
        var naming = s.Read(publicKey, CKA.CKA_ID, CKA.CKA_LABEL);
        try
        {
            var idBytes = naming[0].GetValueAsByteArray();
            if (naming[0].CannotBeRead || idBytes is null || idBytes.Length != HsmKeyId.Length) return null;
            var id = HsmKeyId.FromBytes(idBytes);
            if (naming[1].CannotBeRead || naming[1].GetValueAsString() != Label(id)) return null;

            var shape = s.Read(publicKey, CKA.CKA_KEY_TYPE, CKA.CKA_EC_PARAMS);
            try
            {
                if (shape[0].CannotBeRead || shape[1].CannotBeRead) return null;
                var parameters = CurveParameters.Recognise(shape[0].GetValueAsUlong(), shape[1].GetValueAsByteArray());
                return parameters is null ? null : new HsmKeyInfo(id, parameters.Curve, PublicKeyOf(s, publicKey, parameters, id));
            }
            finally
            {
                TokenSession.DisposeAll(shape);
            }
        }
        finally
        {
            TokenSession.DisposeAll(naming);
        }
    }

    private static byte[] PublicKeyOf(TokenSession s, IObjectHandle publicKey, CurveParameters parameters, HsmKeyId id)
    {
        var point = s.Read(publicKey, CKA.CKA_EC_POINT);
        try
        {
            return parameters.DecodePublicKey(point[0].GetValueAsByteArray());
        }
        catch (FormatException e)
        {
            throw new HsmException(HsmError.OperationFailed, $"token '{s.TokenLabel}' returned an unusable public key for key {id}: {e.Message}", e);
        }
        finally
        {
            TokenSession.DisposeAll(point);
        }
    }

    private static List<IObjectAttribute> Template(TokenSession s, CKO objectClass, HsmKeyId id) =>
    [
        s.Attributes.Create(CKA.CKA_CLASS, objectClass),
        s.Attributes.Create(CKA.CKA_ID, id.ToBytes()),
        s.Attributes.Create(CKA.CKA_LABEL, Label(id)),
    ];

    private static string Label(HsmKeyId id) => LabelPrefix + id;

    private static string PrivateKeyCacheKey(HsmKeyId id) => $"priv:{id}";
}
