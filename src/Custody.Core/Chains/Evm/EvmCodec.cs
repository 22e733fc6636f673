using System.Globalization;
using Custody.Core.Crypto;
using Custody.Core.Wire;
using Custody.Core.Hd;

namespace Custody.Core.Chains.Evm;

/// <summary>
/// EVM transactions for one chain of the EVM family. The payload is 0x-hex of the
/// unsigned encoding (legacy EIP-155 RLP, or the 0x01 / 0x02 typed envelope); the signed
/// payload is 0x-hex of the signed encoding and the txid its keccak256.
/// </summary>
/// <remarks>
/// Replay key: "chainId/from/nonce" with from as lowercase 0x-hex (also the first source). The
/// sender is not in an unsigned transaction: <see cref="Decode"/> takes it from the signer's key
/// when given one (the signing path always does; only display decoding goes without, and then
/// gives "chainId/nonce"), and <see cref="Sign"/> from the key that signed.
/// </remarks>
public sealed class EvmCodec : ITransactionCodec
{
    private readonly ulong _chainId;

    public EvmCodec(Chain chain)
    {
        _chainId = EvmFamily.NetworkOf(chain).ChainId;
        Chain = chain;
    }

    public Chain Chain { get; }

    public byte[] ParsePayload(string text) => HexText.Parse(text, "payload", EvmTransaction.MaxEncodedSize);

    public TransactionIntent Decode(ReadOnlySpan<byte> unsignedPayload, SignerKey? signer = null) =>
        Describe(DecodeForChain(unsignedPayload), signer is null ? null : EvmAddress.FromPublicKey(signer.PublicKey));

    public SignedTransaction Sign(ReadOnlySpan<byte> unsignedPayload, IKeyRing keys, KeyPath? signerPath)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (signerPath is null) throw new InvalidInputException("signerPath", "an EVM transaction needs the signer's key path");
        var tx = DecodeForChain(unsignedPayload);
        // Strict decoding makes the input the canonical encoding, so its hash is the signing hash.
        var signature = RecoverableSigner.Sign(keys, signerPath, Hashes.Keccak256(unsignedPayload), out var publicKey);
        var signed = tx.EncodeSigned(EvmTxSignature.From(signature));
        var from = EvmAddress.FromPublicKey(publicKey);
        return new SignedTransaction(HexText.Prefixed(signed), HexText.Prefixed(Hashes.Keccak256(signed)), Describe(tx, from));
    }

    private EvmTransaction DecodeForChain(ReadOnlySpan<byte> payload)
    {
        var tx = EvmTransaction.DecodeUnsigned(payload);
        if (tx.ChainId is not { } id)
            throw new InvalidInputException("tx.chainId", "a legacy transaction without chain id (pre-EIP-155) can be replayed on every chain");
        if (id != _chainId)
            throw new InvalidInputException("tx.chainId", $"transaction is for chain id {id}, not {_chainId} ({Chain.Id})");
        return tx;
    }

    private TransactionIntent Describe(EvmTransaction tx, string? from)
    {
        var sources = new List<string>();
        if (from is not null) sources.Add(from);
        var outputs = new List<IntentOutput>();
        var notes = new List<string>();
        ContractCall? call = null;
        if (tx.To is not { } to)
        {
            notes.Add("contract-creation");
            call = new ContractCall("", "", tx.Value);
            if (!tx.Value.IsZero) outputs.Add(new IntentOutput(null, IntentOutput.NativeAsset, tx.Value, IsChange: false));
        }
        else if (tx.Data.IsEmpty)
        {
            outputs.Add(new IntentOutput(EvmAddress.ToChecksumText(to.Span), IntentOutput.NativeAsset, tx.Value, IsChange: false));
        }
        else
        {
            var described = CallIntent.Describe(EvmAddress.ToChecksumText(to.Span), tx.Data.Span, tx.Value,
                static address => EvmAddress.ToChecksumText(address.Span), "tx.data");
            outputs.AddRange(described.Outputs);
            call = described.Call;
            sources.AddRange(described.Sources.Except(sources, StringComparer.OrdinalIgnoreCase));
            notes.AddRange(described.Notes);
        }

        var chainId = _chainId.ToString(CultureInfo.InvariantCulture);
        var nonce = tx.Nonce.ToString(CultureInfo.InvariantCulture);
        var replayKey = from is null ? $"{chainId}/{nonce}" : $"{chainId}/{from.ToLowerInvariant()}/{nonce}";
        return new TransactionIntent(Chain, sources, outputs, tx.MaxFee, call, [replayKey], notes)
        {
            // Calls and deployments are summarised by contract and selector; the digest pins the
            // rest of the data, so a fee bump (same nonce) can be proven to carry the same call.
            CalldataDigest = tx.Data.IsEmpty ? null : Convert.ToHexStringLower(Hashes.Sha256(tx.Data.Span)),
        };
    }
}
