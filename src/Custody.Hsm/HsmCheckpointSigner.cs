using Custody.Core.Audit;

namespace Custody.Hsm;

/// <summary>
/// The audit key as DESIGN.md wants it: an Ed25519 key generated inside the HSM, never
/// extractable, signing audit checkpoints with CKM_EDDSA.
/// </summary>
public sealed class HsmCheckpointSigner : ICheckpointSigner
{
    private readonly IHsmKeyStore _keys;
    private readonly HsmKeyId _keyId;

    public HsmCheckpointSigner(IHsmKeyStore keys, HsmKeyId keyId, string name)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var key = keys.Get(keyId);
        if (key.Curve != Core.Chains.KeyCurve.Ed25519)
            throw new HsmException(HsmError.WrongKeyType, $"audit key {keyId} is {key.Curve}, not Ed25519");
        _keys = keys;
        _keyId = keyId;
        Name = name;
        PublicKey = key.PublicKeyBytes();
    }

    public string Name { get; }

    public ReadOnlyMemory<byte> PublicKey { get; }

    public byte[] Sign(ReadOnlySpan<byte> message) => _keys.SignMessage(_keyId, message);

    public override string ToString() => $"HsmCheckpointSigner({Name}, key {_keyId})";
}
