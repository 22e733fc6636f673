using Custody.Core.Audit.Notes;
using Custody.Core.Crypto;

namespace Custody.Core.Audit;

/// <summary>An audit key held in process memory (a pinned buffer, cleared on dispose).</summary>
public sealed class Ed25519CheckpointSigner : ICheckpointSigner, IDisposable
{
    private readonly SecretBytes _seed;
    private readonly byte[] _publicKey;

    /// <param name="seed32">The RFC 8032 private key; copied, so the caller clears its own buffer.</param>
    public Ed25519CheckpointSigner(string name, ReadOnlySpan<byte> seed32)
    {
        NoteVerifierKey.CheckName(name);
        if (seed32.Length != Ed25519.KeySize) throw new InvalidInputException("seed", "an Ed25519 private key is 32 bytes");
        Name = name;
        _seed = SecretBytes.CopyFrom(seed32);
        _publicKey = Ed25519.GetPublicKey(_seed.Span);
    }

    public string Name { get; }

    public ReadOnlyMemory<byte> PublicKey => _publicKey;

    public byte[] Sign(ReadOnlySpan<byte> message) => Ed25519.Sign(_seed.Span, message);

    public void Dispose() => _seed.Dispose();

    public override string ToString() => $"Ed25519CheckpointSigner({Name})";
}
