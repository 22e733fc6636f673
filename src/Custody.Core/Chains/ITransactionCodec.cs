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

    /// <summary>The intent of an unsigned transaction; throws InvalidInputException naming the field.</summary>
    TransactionIntent Decode(ReadOnlySpan<byte> unsignedPayload);

    /// <summary>
    /// Signs with <paramref name="keys"/>. For account chains <paramref name="signerPath"/> names the key;
    /// for PSBT the derivation paths inside it do. Every signature is verified before it is returned.
    /// </summary>
    SignedTransaction Sign(ReadOnlySpan<byte> unsignedPayload, IKeyRing keys, KeyPath? signerPath);
}

/// <summary>A signed transaction in the chain's text form, its hash / txid, and what it does.</summary>
public sealed record SignedTransaction(string Payload, string TxId, TransactionIntent Intent);
