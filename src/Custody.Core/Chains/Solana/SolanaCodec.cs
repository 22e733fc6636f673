using System.Security.Cryptography;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Wire;

namespace Custody.Core.Chains.Solana;

/// <summary>
/// Solana transactions. The payload is base64 of the message (legacy or v0); the signed
/// payload is base64 of the wire transaction — compact-u16 signature count, one 64-byte
/// slot per required signer (ours filled, the others zero for co-signers to fill), then
/// the message — and the txid is the Base58 of the first signature once it is ours.
/// </summary>
/// <remarks>
/// Replay key "feePayer/recentBlockhash": a message is valid only while its blockhash is
/// recent (about 150 blocks) and the runtime refuses the same signature twice. Fee is the
/// most the message can cost: 5000 lamports per signature plus its priority fee.
/// </remarks>
public sealed class SolanaCodec : ITransactionCodec
{
    private const int SignatureSize = 64;

    public SolanaCodec(Chain chain)
    {
        SolanaFamily.NetworkOf(chain);
        Chain = chain;
    }

    public Chain Chain { get; }

    public byte[] ParsePayload(string text)
    {
        var base64 = (text ?? "").Trim();
        if (base64.Length > (SolanaMessage.MaxSize + 2) / 3 * 4)
            throw new InvalidInputException("payload", $"longer than {SolanaMessage.MaxSize} bytes");
        var bytes = new byte[base64.Length / 4 * 3];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
            throw new InvalidInputException("payload", "not base64 text");
        return bytes[..written];
    }

    public TransactionIntent Decode(ReadOnlySpan<byte> unsignedPayload, SignerKey? signer = null) =>
        SolanaIntentBuilder.Build(Chain, SolanaMessage.Parse(unsignedPayload));

    public SignedTransaction Sign(ReadOnlySpan<byte> unsignedPayload, IKeyRing keys, KeyPath? signerPath)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (signerPath is null) throw new InvalidInputException("signerPath", "a Solana transaction needs the signer's key path");
        if (keys.Curve != KeyCurve.Ed25519) throw new InvalidInputException("keys", "Solana signs with Ed25519 keys");
        var message = SolanaMessage.Parse(unsignedPayload);
        var intent = SolanaIntentBuilder.Build(Chain, message);

        var publicKey = keys.GetPublicKey(signerPath);
        var slot = -1;
        for (var i = 0; i < message.Header.NumRequiredSignatures; i++)
            if (message.StaticKeys[i].Span.SequenceEqual(publicKey)) slot = i;
        if (slot < 0)
            throw new InvalidInputException("signerPath", $"the key at {signerPath} ({SolanaAddress.ToText(publicKey)}) is not a required signer of this message");

        var signature = keys.SignEd25519(signerPath, unsignedPayload);
        if (!Ed25519.Verify(publicKey, unsignedPayload, signature))
            throw new CryptographicException("the Ed25519 signature does not verify against the signer's public key");

        var count = CompactU16.Encode(message.Header.NumRequiredSignatures);
        var wire = new byte[count.Length + message.Header.NumRequiredSignatures * SignatureSize + unsignedPayload.Length];
        count.CopyTo(wire, 0);
        signature.CopyTo(wire, count.Length + slot * SignatureSize);
        unsignedPayload.CopyTo(wire.AsSpan(wire.Length - unsignedPayload.Length));
        // The txid is the fee payer's signature; a co-signer's result has none yet.
        var txId = slot == 0 ? Base58.Encode(signature) : "";
        return new SignedTransaction(Convert.ToBase64String(wire), txId, intent);
    }
}
