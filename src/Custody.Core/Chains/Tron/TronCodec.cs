using System.Globalization;
using Custody.Core.Chains.Evm;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.Core.Wire;

namespace Custody.Core.Chains.Tron;

/// <summary>
/// TRON transactions. The payload is hex of Transaction.raw_data (protobuf); the txID is
/// SHA-256 of those bytes and is what is signed (secp256k1, 65 bytes r ‖ s ‖ v with
/// v = 27/28, as TronWeb and Trezor produce). The signed payload is hex of the protobuf
/// Transaction {raw_data = 1, signature = 2}, the form java-tron's broadcasthex takes.
/// </summary>
/// <remarks>
/// TRON has no nonce. A transaction is valid only on a chain holding its reference block
/// (TaPoS) and only until its expiration; nodes drop a txID they have already seen. Two
/// different transactions never conflict on chain, so the intent carries no replay key (the
/// same raw_data again is the same txID: an idempotent retry, not a conflict). Fee is fee_limit, the cap on
/// energy burnt; bandwidth and account-activation fees are not in the transaction.
/// An expiration at or before now (from the injected <see cref="TimeProvider"/>) is refused.
/// </remarks>
public sealed class TronCodec : ITransactionCodec
{
    private readonly TimeProvider _time;

    public TronCodec(Chain chain, TimeProvider? time = null)
    {
        TronFamily.NetworkOf(chain);
        Chain = chain;
        _time = time ?? TimeProvider.System;
    }

    public Chain Chain { get; }

    public byte[] ParsePayload(string text) => HexText.Parse(text, "payload", TronRawData.MaxSize);

    public TransactionIntent Decode(ReadOnlySpan<byte> unsignedPayload, SignerKey? signer = null) => Describe(ParseUnexpired(unsignedPayload));

    public SignedTransaction Sign(ReadOnlySpan<byte> unsignedPayload, IKeyRing keys, KeyPath? signerPath)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (signerPath is null) throw new InvalidInputException("signerPath", "a TRON transaction needs the signer's key path");
        var raw = ParseUnexpired(unsignedPayload);
        var intent = Describe(raw);
        var signer = TronAddress.FromPublicKey(keys.GetPublicKey(signerPath));
        // Permission 0 is the owner's own key; other permission ids are multi-signature schemes the node checks.
        if (raw.Contract.PermissionId == 0 && intent.Sources.Count > 0 && intent.Sources[0] != signer)
            throw new InvalidInputException("signerPath", $"the key at {signerPath} ({signer}) is not the owner {intent.Sources[0]}");

        var txId = Hashes.Sha256(unsignedPayload);
        var signature = RecoverableSigner.ToRsv(RecoverableSigner.Sign(keys, signerPath, txId, out _));
        var signed = new ProtoWriter().WriteBytes(1, unsignedPayload).WriteBytes(2, signature).ToArray();
        var sources = intent.Sources.Contains(signer) ? intent.Sources : [.. intent.Sources, signer];
        return new SignedTransaction(Convert.ToHexStringLower(signed), Convert.ToHexStringLower(txId), intent with { Sources = sources });
    }

    private TronRawData ParseUnexpired(ReadOnlySpan<byte> payload)
    {
        var raw = TronRawData.Parse(payload);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (raw.Expiration <= now)
            throw new InvalidInputException("raw_data.expiration",
                $"expired at {DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(raw.Expiration, 253402300799999)):O}");
        return raw;
    }

    private TransactionIntent Describe(TronRawData raw)
    {
        var sources = new List<string>();
        var outputs = new List<IntentOutput>();
        var notes = new List<string>();
        ContractCall? call = null;
        var contract = raw.Contract;
        switch (contract.Type)
        {
            case TronContractType.TransferContract:
                var transfer = TronContractParameters.ParseTransfer(contract.Parameter.Span);
                sources.Add(TronAddress.ToText(transfer.Owner.Span));
                outputs.Add(new IntentOutput(TronAddress.ToText(transfer.To.Span), IntentOutput.NativeAsset, transfer.Amount, IsChange: false));
                break;
            case TronContractType.TransferAssetContract:
                var asset = TronContractParameters.ParseAssetTransfer(contract.Parameter.Span);
                sources.Add(TronAddress.ToText(asset.Owner.Span));
                outputs.Add(new IntentOutput(TronAddress.ToText(asset.To.Span), "trc10:" + asset.AssetId, asset.Amount, IsChange: false));
                break;
            case TronContractType.TriggerSmartContract:
                var trigger = TronContractParameters.ParseTrigger(contract.Parameter.Span);
                sources.Add(TronAddress.ToText(trigger.Owner.Span));
                var contractText = TronAddress.ToText(trigger.Contract.Span);
                var described = CallIntent.Describe(contractText, trigger.Data.Span, trigger.CallValue,
                    static address20 => TronAddress.ToText([TronAddress.Prefix, .. address20.Span]), "raw_data.contract.parameter.value.data");
                outputs.AddRange(described.Outputs);
                call = described.Call;
                sources.AddRange(described.Sources.Except(sources));
                notes.AddRange(described.Notes);
                if (trigger.CallTokenValue > 0)
                    outputs.Add(new IntentOutput(contractText, "trc10:" + trigger.TokenId.ToString(CultureInfo.InvariantCulture), trigger.CallTokenValue, IsChange: false));
                break;
            default:
                // Staking, voting, permissions…: not a transfer Custody can state; the policy sees the type.
                if (TronContractParameters.OwnerOf(contract) is { } owner) sources.Add(TronAddress.ToText(owner));
                call = new ContractCall("", contract.TypeName, 0);
                break;
        }
        if (!raw.Memo.IsEmpty) notes.Add("tron:memo");
        if (contract.PermissionId != 0) notes.Add("tron:permission-id:" + contract.PermissionId.ToString(CultureInfo.InvariantCulture));
        return new TransactionIntent(Chain, sources, outputs, raw.FeeLimit, call, [], notes);
    }
}
