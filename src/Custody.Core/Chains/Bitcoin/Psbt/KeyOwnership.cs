using System.Buffers.Binary;
using Custody.Core.Crypto;
using Custody.Core.Hd;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// Decides which PSBT derivations are the wallet's and proves them: a derivation is
/// ours when its fingerprint is the wallet's (and its path lies under the signer
/// scope, if one is given); the key the wallet derives at that path must then be the
/// key the PSBT states, or the PSBT is refused. A single non-HD key (HSM-native) is its
/// own master, as Bitcoin Core writes it: its own fingerprint and the empty path; it is
/// also recognised by the public key alone, because a coordinator that builds a multisig
/// from foreign keys writes whatever origin it knows for ours (the key at m signs then).
/// </summary>
internal sealed class KeyOwnership
{
    private readonly IKeyRing _keys;
    private readonly KeyPath? _scope;
    private readonly Dictionary<KeyPath, byte[]> _publicKeys = [];

    public KeyOwnership(IKeyRing keys, KeyPath? scope)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Curve != KeyCurve.Secp256k1) throw new ArgumentException("Bitcoin keys are secp256k1 keys", nameof(keys));
        _keys = keys;
        _scope = scope;
        IsHd = keys.MasterFingerprint is not null;
        Fingerprint = keys.MasterFingerprint ?? BinaryPrimitives.ReadUInt32BigEndian(Hashes.Hash160(PublicKey(KeyPath.Root)));
    }

    public IKeyRing Keys => _keys;

    public uint Fingerprint { get; }

    private bool IsHd { get; }

    public bool Owns(PsbtDerivation derivation) => Owns(derivation.Origin) || (!IsHd && IsSingleKey(derivation.PublicKey.Span));

    public bool Owns(PsbtTapDerivation derivation) => Owns(derivation.Origin) || (!IsHd && IsSingleKey(derivation.XOnlyKey.Span, xonly: true));

    private bool Owns(KeyOrigin origin) =>
        origin.Fingerprint == Fingerprint &&
        (IsHd || origin.Path.Depth == 0) &&
        (_scope is null || origin.Path.StartsWith(_scope));

    private bool IsSingleKey(ReadOnlySpan<byte> key, bool xonly = false) =>
        key.SequenceEqual(xonly ? PublicKey(KeyPath.Root).AsSpan(1) : PublicKey(KeyPath.Root));

    /// <summary>Where the wallet holds the key of a derivation that is ours: its path, or m for a single key.</summary>
    public KeyPath PathOf(KeyOrigin origin) => IsHd ? origin.Path : KeyPath.Root;

    public byte[] PublicKey(KeyPath path)
    {
        if (!_publicKeys.TryGetValue(path, out var key))
        {
            key = _keys.GetPublicKey(path);
            if (key.Length != 33) throw new InvalidOperationException("the key ring returned a key that is not a compressed secp256k1 key");
            _publicKeys[path] = key;
        }
        return key;
    }

    /// <summary>The wallet's key for a derivation that <see cref="Owns"/> says is ours, proven equal to the stated key.</summary>
    public byte[] Prove(PsbtDerivation derivation, string field)
    {
        var key = PublicKey(PathOf(derivation.Origin));
        if (!derivation.PublicKey.Span.SequenceEqual(key))
            throw new InvalidInputException(field, $"{derivation.Origin} states key {Short(derivation.PublicKey.Span)}, but the wallet derives {Short(key)} there");
        return key;
    }

    /// <summary>As <see cref="Prove(PsbtDerivation, string)"/> for an x-only taproot derivation; returns the full 33-byte key.</summary>
    public byte[] Prove(PsbtTapDerivation derivation, string field)
    {
        var key = PublicKey(PathOf(derivation.Origin));
        if (!derivation.XOnlyKey.Span.SequenceEqual(key.AsSpan(1)))
            throw new InvalidInputException(field, $"{derivation.Origin} states x-only key {Short(derivation.XOnlyKey.Span)}, but the wallet derives {Short(key.AsSpan(1))} there");
        return key;
    }

    private static string Short(ReadOnlySpan<byte> key) => Convert.ToHexStringLower(key[..Math.Min(8, key.Length)]) + "…";
}
