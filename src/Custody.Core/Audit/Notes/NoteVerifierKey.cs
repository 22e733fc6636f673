using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Custody.Core.Crypto;

namespace Custody.Core.Audit.Notes;

/// <summary>
/// The public half of a signed-note key in the C2SP signed-note text form
/// <c>&lt;name&gt;+&lt;hex key id&gt;+&lt;base64(0x01 ‖ Ed25519 public key)&gt;</c>: what an
/// operator exports and hands to anyone who verifies the audit log.
/// The key id is the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), big-endian.
/// </summary>
public sealed class NoteVerifierKey
{
    /// <summary>The signed-note signature type of Ed25519.</summary>
    public const byte Ed25519Type = 0x01;

    private readonly byte[] _publicKey;

    private NoteVerifierKey(string name, uint keyId, byte[] publicKey)
    {
        Name = name;
        KeyId = keyId;
        _publicKey = publicKey;
    }

    public string Name { get; }

    public uint KeyId { get; }

    public ReadOnlyMemory<byte> PublicKey => _publicKey;

    public static NoteVerifierKey FromEd25519(string name, ReadOnlySpan<byte> publicKey)
    {
        CheckName(name);
        if (publicKey.Length != Ed25519.KeySize) throw new InvalidInputException("public_key", "an Ed25519 public key is 32 bytes");
        return new NoteVerifierKey(name, ComputeKeyId(name, publicKey), publicKey.ToArray());
    }

    public static NoteVerifierKey For(ICheckpointSigner signer) => FromEd25519(signer.Name, signer.PublicKey.Span);

    /// <summary>Parses the vkey text; every deviation (wrong id, wrong length, unknown type) is an error.</summary>
    public static NoteVerifierKey Parse(string vkey)
    {
        ArgumentNullException.ThrowIfNull(vkey);
        var first = vkey.IndexOf('+', StringComparison.Ordinal);
        var second = first < 0 ? -1 : vkey.IndexOf('+', first + 1);
        if (second < 0) throw new InvalidInputException("vkey", "expected <name>+<key id>+<key>");
        var name = vkey[..first];
        var id = vkey[(first + 1)..second];
        if (!IsValidName(name)) throw new InvalidInputException("vkey", "the key name is empty or holds a space or '+'");
        if (id.Length != 8 || !id.All(char.IsAsciiHexDigitLower))
            throw new InvalidInputException("vkey", "the key id is 8 lower-case hex digits");
        var key = StrictBase64.Decode(vkey[(second + 1)..]) ?? throw new InvalidInputException("vkey", "the key is not canonical base64");
        if (key.Length == 0 || key[0] != Ed25519Type) throw new InvalidInputException("vkey", "only Ed25519 keys (type 0x01) are supported");
        if (key.Length != 1 + Ed25519.KeySize) throw new InvalidInputException("vkey", "an Ed25519 key is 32 bytes");
        var parsed = FromEd25519(name, key.AsSpan(1));
        if (parsed.KeyId != uint.Parse(id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture))
            throw new InvalidInputException("vkey", "the key id does not match the name and key");
        return parsed;
    }

    public static uint ComputeKeyId(string name, ReadOnlySpan<byte> publicKey)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var input = new byte[nameBytes.Length + 2 + publicKey.Length];
        nameBytes.CopyTo(input, 0);
        input[nameBytes.Length] = (byte)'\n';
        input[nameBytes.Length + 1] = Ed25519Type;
        publicKey.CopyTo(input.AsSpan(nameBytes.Length + 2));
        return BinaryPrimitives.ReadUInt32BigEndian(Hashes.Sha256(input));
    }

    public bool Verify(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature) =>
        signature.Length == Ed25519.SignatureSize && Ed25519.Verify(_publicKey, message, signature);

    /// <summary>The vkey text.</summary>
    public override string ToString() =>
        $"{Name}+{KeyId:x8}+{Convert.ToBase64String([Ed25519Type, .. _publicKey])}";

    /// <summary>Key names are non-empty and hold no Unicode space and no '+' (signed-note spec).</summary>
    public static bool IsValidName(string name) =>
        name.Length > 0 && !name.Any(c => char.IsWhiteSpace(c) || c == '+' || char.IsControl(c) || char.IsSurrogate(c));

    internal static void CheckName(string name)
    {
        if (name is null || !IsValidName(name)) throw new InvalidInputException("name", "a key name is non-empty and holds no space or '+'");
    }
}
