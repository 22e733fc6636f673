namespace Custody.Core.Audit.Notes;

/// <summary>One signature line of a signed note: the key name, its 4-byte id and the signature bytes.</summary>
public sealed record NoteSignature(string Name, uint KeyId, ReadOnlyMemory<byte> Signature);
