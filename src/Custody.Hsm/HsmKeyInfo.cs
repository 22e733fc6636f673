using Custody.Core.Chains;

namespace Custody.Hsm;

/// <summary>
/// The public half of an HSM key pair: its id, its curve, and its public key — 33 bytes compressed
/// SEC1 for secp256k1, 32 bytes for Ed25519.
/// </summary>
public sealed class HsmKeyInfo
{
    private readonly byte[] _publicKey;

    internal HsmKeyInfo(HsmKeyId id, KeyCurve curve, byte[] publicKey)
    {
        Id = id;
        Curve = curve;
        _publicKey = publicKey;
    }

    public HsmKeyId Id { get; }

    public KeyCurve Curve { get; }

    public ReadOnlySpan<byte> PublicKey => _publicKey;

    public byte[] PublicKeyBytes() => (byte[])_publicKey.Clone();

    public override string ToString() => $"{Curve} key {Id}";
}
