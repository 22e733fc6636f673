namespace Custody.Core.Audit;

/// <summary>
/// The audit key that signs checkpoints: in production an Ed25519 key that never
/// leaves the HSM, in tests and small set-ups <see cref="Ed25519CheckpointSigner"/>.
/// </summary>
public interface ICheckpointSigner
{
    /// <summary>The key name in signed notes: non-empty, no spaces, no '+'.</summary>
    string Name { get; }

    /// <summary>The 32-byte Ed25519 public key.</summary>
    ReadOnlyMemory<byte> PublicKey { get; }

    /// <summary>A 64-byte Ed25519 signature (RFC 8032, pure) of <paramref name="message"/>.</summary>
    byte[] Sign(ReadOnlySpan<byte> message);
}
