using Custody.Core.Crypto;

namespace Custody.Core.Ceremony;

/// <summary>
/// The outcome of a generation: the wallet's BIP32 seed (to be sealed under the KEK at
/// once) and the pieces for the custodians. Dispose clears the seed.
/// </summary>
public sealed class BackupMaterial(SecretBytes seed, IReadOnlyList<BackupPiece> pieces) : IDisposable
{
    public SecretBytes Seed { get; } = seed;

    public IReadOnlyList<BackupPiece> Pieces { get; } = pieces;

    public void Dispose() => Seed.Dispose();

    public override string ToString() => $"BackupMaterial({Pieces.Count} pieces)";
}
