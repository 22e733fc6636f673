using Custody.Core.Hd;

namespace Custody.Core.Chains;

/// <summary>
/// One chain family's handling of chain-native unsigned transactions, for one
/// <see cref="Chain"/>: decode to an intent without keys, and sign. Decoding is
/// pure and refuses what it cannot fully explain.
/// </summary>
public interface ITransactionCodec
{
    Chain Chain { get; }

    /// <summary>Turns the text form the API carries (PSBT base64, RLP hex, raw_data hex, message base64) into bytes.</summary>
    byte[] ParsePayload(string text);

    /// <summary>
    /// The intent of an unsigned transaction; throws InvalidInputException naming the field.
    /// <paramref name="signer"/> is the key that will sign, when the request names one: account
    /// chains take their sender (and with it the replay key) from it, so that the intent judged
    /// before signing is the intent signed. Without it (decoding for display) the sender is unknown.
    /// </summary>
    TransactionIntent Decode(ReadOnlySpan<byte> unsignedPayload, SignerKey? signer = null);

    /// <summary>
    /// Signs with <paramref name="keys"/>. For account chains <paramref name="signerPath"/> names the key;
    /// for PSBT the derivation paths inside it do. Every signature is verified before it is returned.
    /// </summary>
    SignedTransaction Sign(ReadOnlySpan<byte> unsignedPayload, IKeyRing keys, KeyPath? signerPath);
}

/// <summary>The key that will sign, known before signing: its path and public key (33-byte secp256k1 or 32-byte Ed25519).</summary>
public sealed record SignerKey(KeyPath Path, byte[] PublicKey);

/// <summary>A signed transaction in the chain's text form, its hash / txid, and what it does.</summary>
public sealed record SignedTransaction(string Payload, string TxId, TransactionIntent Intent)
{
    /// <summary>Per input, where the family co-signs (Bitcoin multisig): whether we signed it now and how many signatures it still needs.</summary>
    public IReadOnlyList<InputSigning> Inputs { get; init; } = [];
}

/// <summary>One input after our signing round.</summary>
/// <param name="Input">"input[i]".</param>
/// <param name="SignedNow">Whether this round added our signature(s).</param>
/// <param name="SignaturesMissing">Signatures still needed before it can be finalised (0: complete), null when the script is not one the finaliser knows.</param>
public sealed record InputSigning(string Input, bool SignedNow, int? SignaturesMissing)
{
    /// <summary>
    /// A taproot script-path input's leaves that could satisfy it, each with the signatures it
    /// still needs (<see cref="SignaturesMissing"/> is the fewest of them); empty for other inputs.
    /// </summary>
    public IReadOnlyList<LeafSigning> Leaves { get; init; } = [];
}

/// <summary>One tapscript leaf of an input: its tapleaf hash (hex) and the signatures it still needs.</summary>
public sealed record LeafSigning(string LeafHash, int SignaturesMissing);
