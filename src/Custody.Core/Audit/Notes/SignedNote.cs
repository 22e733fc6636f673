using System.Buffers.Binary;
using System.Text;

namespace Custody.Core.Audit.Notes;

/// <summary>
/// A C2SP signed note: a text ending in a newline, a blank line, then signature lines
/// <c>— &lt;key name&gt; &lt;base64(key id[4] ‖ signature)&gt;</c>. The signature covers the
/// text including its final newline, not the blank line.
/// </summary>
public sealed class SignedNote
{
    private const string SignaturePrefix = "\u2014 ";
    private const int MaxSignatures = 100;

    private SignedNote(string text, IReadOnlyList<NoteSignature> signatures)
    {
        Text = text;
        Signatures = signatures;
    }

    public string Text { get; }

    public IReadOnlyList<NoteSignature> Signatures { get; }

    /// <summary>Signs <paramref name="text"/> with one key.</summary>
    public static SignedNote Sign(string text, ICheckpointSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        if (!IsValidText(text) || !text.EndsWith('\n'))
            throw new InvalidInputException("note", "the text must be non-empty, end in a newline and hold no control characters");
        var key = NoteVerifierKey.For(signer);
        var signature = signer.Sign(Encoding.UTF8.GetBytes(text));
        if (signature.Length != Crypto.Ed25519.SignatureSize)
            throw new InvalidOperationException($"the audit key {signer.Name} returned a {signature.Length}-byte signature");
        return new SignedNote(text, [new NoteSignature(signer.Name, key.KeyId, signature)]);
    }

    /// <summary>Parses the note syntax; it does not verify anything.</summary>
    public static SignedNote Parse(string note)
    {
        ArgumentNullException.ThrowIfNull(note);
        if (!IsValidText(note)) throw Malformed("holds control characters or is not valid text");
        var split = note.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0) throw Malformed("no blank line before the signatures");
        var text = note[..(split + 1)];
        var block = note[(split + 2)..];
        if (block.Length == 0 || !block.EndsWith('\n')) throw Malformed("the signature block is empty or does not end in a newline");
        var lines = block[..^1].Split('\n');
        if (lines.Length > MaxSignatures) throw Malformed($"more than {MaxSignatures} signatures");
        var signatures = new List<NoteSignature>(lines.Length);
        foreach (var line in lines)
        {
            if (!line.StartsWith(SignaturePrefix, StringComparison.Ordinal)) throw Malformed("a signature line does not start with an em dash and a space");
            var rest = line[SignaturePrefix.Length..];
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            if (space < 0) throw Malformed("a signature line has no signature");
            var name = rest[..space];
            if (!NoteVerifierKey.IsValidName(name)) throw Malformed("a signature names an invalid key");
            var blob = StrictBase64.Decode(rest[(space + 1)..]);
            if (blob is null || blob.Length < 5) throw Malformed("a signature is not base64 of a key id and a signature");
            signatures.Add(new NoteSignature(name, BinaryPrimitives.ReadUInt32BigEndian(blob), blob.AsMemory(4)));
        }
        return new SignedNote(text, signatures);
    }

    /// <summary>Whether a signature line of <paramref name="key"/> is present and, if so, whether it verifies.</summary>
    public NoteSignatureStatus Check(NoteVerifierKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var message = Encoding.UTF8.GetBytes(Text);
        var status = NoteSignatureStatus.Missing;
        foreach (var s in Signatures)
        {
            if (s.Name != key.Name || s.KeyId != key.KeyId) continue;
            if (key.Verify(message, s.Signature.Span)) return NoteSignatureStatus.Valid;
            status = NoteSignatureStatus.Invalid;
        }
        return status;
    }

    public override string ToString()
    {
        var sb = new StringBuilder(Text).Append('\n');
        foreach (var s in Signatures)
        {
            var blob = new byte[4 + s.Signature.Length];
            BinaryPrimitives.WriteUInt32BigEndian(blob, s.KeyId);
            s.Signature.Span.CopyTo(blob.AsSpan(4));
            sb.Append(SignaturePrefix).Append(s.Name).Append(' ').Append(Convert.ToBase64String(blob)).Append('\n');
        }
        return sb.ToString();
    }

    // Notes are valid UTF-8 without ASCII control characters other than newline.
    private static bool IsValidText(string text)
    {
        if (string.IsNullOrEmpty(text)) return false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < ' ' && c != '\n') return false;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(c)) return false;
        }
        return true;
    }

    private static InvalidInputException Malformed(string reason) => new("note", reason);
}

/// <summary>The outcome of looking for one key's signature in a note.</summary>
public enum NoteSignatureStatus
{
    /// <summary>No signature line carries this key's name and id.</summary>
    Missing,

    /// <summary>A line carries the key's name and id but its signature does not verify.</summary>
    Invalid,

    Valid,
}
