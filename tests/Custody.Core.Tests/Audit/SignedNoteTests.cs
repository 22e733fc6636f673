using System.Text.Json;
using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.Core.Crypto;

namespace Custody.Core.Tests.Audit;

// Vectors: golang.org/x/mod sumdb/note note_test.go and a sum.golang.org checkpoint (c2sp-signed-note.json).
public class SignedNoteTests
{
    private static readonly JsonElement V = VectorFile.Json("c2sp-signed-note.json");

    private static string S(string name) => V.GetProperty(name).GetString()!;

    // The Go private-key text: PRIVATE+KEY+<name>+<id>+base64(0x01 ‖ seed).
    private static Ed25519CheckpointSigner PeterSigner()
    {
        var parts = S("peter_skey").Split('+', 5);
        var key = Convert.FromBase64String(parts[4]);
        Assert.Equal(0x01, key[0]);
        return new Ed25519CheckpointSigner(parts[2], key.AsSpan(1));
    }

    [Fact]
    public void Verifier_key_text_and_key_id_match_the_go_reference()
    {
        using var signer = PeterSigner();
        var derived = NoteVerifierKey.For(signer);
        Assert.Equal(S("peter_vkey"), derived.ToString());
        Assert.Equal(0xc74f20a3u, derived.KeyId);
        var parsed = NoteVerifierKey.Parse(S("peter_vkey"));
        Assert.Equal("PeterNeumann", parsed.Name);
        Assert.Equal(derived.PublicKey.ToArray(), parsed.PublicKey.ToArray());
        Assert.Equal(0xaf0cfe78u, NoteVerifierKey.Parse(S("enoch_vkey")).KeyId);
    }

    [Fact]
    public void Signing_reproduces_the_go_reference_note_byte_for_byte()
    {
        using var signer = PeterSigner();
        var note = SignedNote.Sign(S("text"), signer).ToString();
        Assert.Equal(S("text") + "\n" + S("peter_signature_line"), note);
    }

    [Fact]
    public void Parses_and_checks_a_note_with_two_signatures()
    {
        var note = SignedNote.Parse(S("text") + "\n" + S("peter_signature_line") + S("enoch_signature_line"));
        Assert.Equal(S("text"), note.Text);
        Assert.Equal(["PeterNeumann", "EnochRoot"], note.Signatures.Select(s => s.Name));
        Assert.Equal(NoteSignatureStatus.Valid, note.Check(NoteVerifierKey.Parse(S("peter_vkey"))));
        Assert.Equal(NoteSignatureStatus.Valid, note.Check(NoteVerifierKey.Parse(S("enoch_vkey"))));

        var peterOnly = SignedNote.Parse(S("text") + "\n" + S("peter_signature_line"));
        Assert.Equal(NoteSignatureStatus.Missing, peterOnly.Check(NoteVerifierKey.Parse(S("enoch_vkey"))));
        Assert.Equal(S("text") + "\n" + S("peter_signature_line"), peterOnly.ToString());

        // A corrupted signature (4 base64 characters inserted) still parses but does not verify.
        var line = S("peter_signature_line");
        var corrupted = SignedNote.Parse(S("text") + "\n" + line[..60] + "ABCD" + line[60..]);
        Assert.Equal(NoteSignatureStatus.Invalid, corrupted.Check(NoteVerifierKey.Parse(S("peter_vkey"))));
    }

    [Fact]
    public void Malformed_notes_are_rejected()
    {
        var text = S("text");
        var sig = S("peter_signature_line");
        string[] bad =
        [
            text,
            text + "\n",
            text + "\n" + sig[..^1],
            "\u0001" + text + "\n" + sig,
            "\ud800" + text + "\n" + sig,
            text + "\n" + "\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
            text + "\n" + sig + "Unexpected line.\n",
            text + "\n" + string.Concat(Enumerable.Repeat(sig, 101)),
            text + "\n" + "\u2014 PeterNeumann x08g\n",
            text + "\n" + "\u2014 PeterNeumann x08go/ZJ kuBS9UG\n",
        ];
        foreach (var note in bad)
            Assert.Equal("note", Assert.Throws<InvalidInputException>(() => SignedNote.Parse(note)).Field);
    }

    [Fact]
    public void Mangled_verifier_keys_are_rejected()
    {
        var vkey = S("peter_vkey");
        for (var i = 0; i < vkey.Length; i++)
            for (var j = i + 1; j <= vkey.Length; j++)
                if (i != 0 || j != vkey.Length)
                    Assert.Throws<InvalidInputException>(() => NoteVerifierKey.Parse(vkey[i..j]));
        for (var i = 0; i < vkey.Length; i++)
        {
            var chars = vkey.ToCharArray();
            chars[i]++;
            Assert.Throws<InvalidInputException>(() => NoteVerifierKey.Parse(new string(chars)));
        }
        foreach (var key in V.GetProperty("bad_vkeys").EnumerateArray())
            Assert.Throws<InvalidInputException>(() => NoteVerifierKey.Parse(key.GetString()!));
        Assert.Throws<InvalidInputException>(() => NoteVerifierKey.Parse(vkey.Replace("c74f20a3", "C74F20A3", StringComparison.Ordinal)));
        Assert.Throws<InvalidInputException>(() => NoteVerifierKey.Parse(vkey + " "));
    }

    [Fact]
    public void A_real_sum_golang_org_checkpoint_verifies_with_the_go_key()
    {
        var cp = V.GetProperty("sumdb_checkpoint");
        var key = NoteVerifierKey.Parse(cp.GetProperty("vkey").GetString()!);
        var note = cp.GetProperty("note").GetString()!;
        var checkpoint = Checkpoint.Open(note, key);
        Assert.Equal(cp.GetProperty("origin").GetString(), checkpoint.Origin);
        Assert.Equal(cp.GetProperty("size").GetInt64(), checkpoint.Size);
        Assert.Equal(cp.GetProperty("root_base64").GetString(), Convert.ToBase64String(checkpoint.RootHash.Span));
        Assert.Equal(note[..note.IndexOf("\n\n", StringComparison.Ordinal)] + "\n", checkpoint.ToBody());
        var altered = note.Replace("65209736", "65209737", StringComparison.Ordinal);
        Assert.Contains("does not verify", Assert.Throws<InvalidInputException>(() => Checkpoint.Open(altered, key)).Reason);
    }

    [Fact]
    public void Checkpoint_body_format()
    {
        var root = MerkleHash.Leaf("x"u8);
        var checkpoint = new Checkpoint("custody.example/audit", 8, root);
        Assert.Equal($"custody.example/audit\n8\n{Convert.ToBase64String(root)}\n", checkpoint.ToBody());
        Assert.Equal(checkpoint.ToBody(), Checkpoint.ParseBody(checkpoint.ToBody()).ToBody());
        var b64 = Convert.ToBase64String(root);
        string[] bad =
        [
            $"o\n08\n{b64}\n", $"o\n-1\n{b64}\n", $"o\n1x\n{b64}\n", $"o\n\n{b64}\n", $"o\n99999999999999999999\n{b64}\n",
            $"o\n8\n{b64}", $"o\n8\n{b64[..^4]}\n", $"\n8\n{b64}\n", $"o\n8\n{b64}\nextension\n", "o\n8\n",
            $"o\n8\n {b64}\n",
        ];
        foreach (var body in bad)
            Assert.Equal("checkpoint", Assert.Throws<InvalidInputException>(() => Checkpoint.ParseBody(body)).Field);
    }

    [Fact]
    public void Checkpoints_signed_by_one_key_do_not_open_with_another()
    {
        using var signer = new Ed25519CheckpointSigner("custody.example/audit", Hashes.Sha256("audit key"u8));
        using var other = new Ed25519CheckpointSigner("custody.example/audit", Hashes.Sha256("other key"u8));
        var note = new Checkpoint("custody.example/audit", 3, MerkleHash.Leaf("x"u8)).Sign(signer);
        Assert.Equal(3, Checkpoint.Open(note, NoteVerifierKey.For(signer)).Size);
        Assert.Contains("not signed by", Assert.Throws<InvalidInputException>(() => Checkpoint.Open(note, NoteVerifierKey.For(other))).Reason);
    }
}
