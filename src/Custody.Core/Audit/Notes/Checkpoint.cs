using System.Globalization;

namespace Custody.Core.Audit.Notes;

/// <summary>
/// A C2SP tlog-checkpoint: the log's origin, its tree size and the RFC 6962 root hash
/// of the first <see cref="Size"/> records, as the text body
/// <c>origin\nsize\nbase64(root)\n</c> of a signed note.
/// </summary>
public sealed record Checkpoint
{
    public Checkpoint(string origin, long size, ReadOnlySpan<byte> rootHash)
    {
        if (!IsValidOrigin(origin)) throw new InvalidInputException("origin", "the origin is a non-empty line without control characters");
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (rootHash.Length != Merkle.MerkleHash.Size) throw new InvalidInputException("root_hash", "a root hash is 32 bytes");
        Origin = origin;
        Size = size;
        RootHash = rootHash.ToArray();
    }

    public string Origin { get; }

    public long Size { get; }

    public ReadOnlyMemory<byte> RootHash { get; }

    public string ToBody() => $"{Origin}\n{Size.ToString(CultureInfo.InvariantCulture)}\n{Convert.ToBase64String(RootHash.Span)}\n";

    /// <summary>Parses a checkpoint body. Extension lines are not accepted: this log never writes them.</summary>
    public static Checkpoint ParseBody(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!body.EndsWith('\n')) throw Bad("the body does not end in a newline");
        var lines = body[..^1].Split('\n');
        if (lines.Length < 3) throw Bad("expected origin, tree size and root hash lines");
        if (lines.Length > 3) throw Bad("extension lines are not supported");
        var size = lines[1];
        if (size.Length is 0 or > 19 || !size.All(char.IsAsciiDigit) || (size.Length > 1 && size[0] == '0')
            || !long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw Bad("the tree size is not a decimal number without leading zeros");
        var root = StrictBase64.Decode(lines[2]);
        if (root is null || root.Length != Merkle.MerkleHash.Size) throw Bad("the root hash is not base64 of 32 bytes");
        if (!IsValidOrigin(lines[0])) throw Bad("the origin line is empty");
        return new Checkpoint(lines[0], n, root);
    }

    /// <summary>Signs the body as a signed note and returns the note text.</summary>
    public string Sign(ICheckpointSigner signer) => SignedNote.Sign(ToBody(), signer).ToString();

    /// <summary>Parses a signed checkpoint and checks that <paramref name="key"/> signed it.</summary>
    public static Checkpoint Open(string note, NoteVerifierKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signed = SignedNote.Parse(note);
        switch (signed.Check(key))
        {
            case NoteSignatureStatus.Missing:
                throw new InvalidInputException("checkpoint", $"not signed by the audit key {key.Name}+{key.KeyId:x8}");
            case NoteSignatureStatus.Invalid:
                throw new InvalidInputException("checkpoint", $"the signature of {key.Name}+{key.KeyId:x8} does not verify");
        }
        return ParseBody(signed.Text);
    }

    // The spec recommends a schema-less URL but real logs use other names ("go.sum database tree").
    private static bool IsValidOrigin(string origin) => !string.IsNullOrEmpty(origin) && !origin.Any(char.IsControl);

    private static InvalidInputException Bad(string reason) => new("checkpoint", reason);
}
