using Custody.Core.Chains.Bitcoin.Descriptors;
using Custody.Core.Chains.Bitcoin.Psbt;
using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Hd;

namespace Custody.Core.Chains.Bitcoin;

/// <summary>
/// PSBT version 0 (BIP174, BIP371 fields) for any Bitcoin-family chain: the network
/// is a parameter, never a per-coin copy. DOGE has no segwit, so its segwit inputs
/// are refused; taproot needs a network that has it.
/// <para>
/// Decode proves the intent from the PSBT alone (see <see cref="PsbtIntent"/>): every
/// input's spent output must be proven (see <see cref="SpentOutputs"/>), or the PSBT
/// is refused, because the fee is otherwise a claim.
/// </para>
/// <para>
/// Sign signs the inputs whose bip32_derivation / tap_bip32_derivation carry the
/// wallet's fingerprint (under <c>signerPath</c> when it is given; a single HSM-native key
/// also by its public key), once the key the wallet derives there matches the PSBT's key
/// and the input's script (P2PKH, P2WPKH, P2SH-P2WPKH, P2TR key path, OP_CHECKMULTISIG in
/// P2SH / P2WSH / P2SH-P2WSH, and pk / multi_a / sortedmulti_a tapscript leaves, where it
/// adds our partial signatures); it refuses the whole PSBT when a claimed change
/// output is not the wallet's, or when no input is the wallet's to sign.
/// </para>
/// <para>
/// What Sign returns, by choice: <see cref="SignedTransaction.Payload"/> is always the
/// PSBT in base64, so a caller never has to guess the form. When the signatures
/// complete the transaction (every input finalisable: ours now signed, others already
/// final or signed for a single-key script), every input is finalised in it and an
/// extractor yields the network transaction directly
/// (<see cref="PartiallySignedTransaction.ExtractTransaction"/>); otherwise it carries
/// our partial signatures for the next signer. <see cref="SignedTransaction.TxId"/> is
/// the txid the network will see: taken from the extracted transaction when complete,
/// otherwise predicted when no scriptSig is still open (native segwit and P2SH-wrapped
/// segwit inputs fix their scriptSig in advance), and empty when a legacy input's
/// scriptSig, and with it the txid, is not known yet.
/// </para>
/// </summary>
public sealed class PsbtCodec : ITransactionCodec
{
    private readonly BitcoinNetwork _network;
    private readonly OutputDescriptor? _account;

    /// <param name="account">The account's output descriptor, for a descriptor account (multisig): change must pay it at a change index.</param>
    public PsbtCodec(Chain chain, OutputDescriptor? account = null)
    {
        _network = BitcoinFamily.NetworkOf(chain);
        _account = account;
        Chain = chain;
    }

    public Chain Chain { get; }

    /// <summary>Base64 (the BIP174 text form) or hex of the binary PSBT; the magic bytes must follow.</summary>
    public byte[] ParsePayload(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.Length == 0) throw new InvalidInputException("payload", "empty");
        byte[] bytes;
        if (text.StartsWith("70736274ff", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                bytes = Convert.FromHexString(text);
            }
            catch (FormatException)
            {
                throw new InvalidInputException("payload", "starts like a hex PSBT but is not hex");
            }
        }
        else
        {
            bytes = PartiallySignedTransaction.DecodeBase64(text);
        }
        if (!PartiallySignedTransaction.HasMagic(bytes))
            throw new InvalidInputException("payload", "not a PSBT (base64 or hex of bytes starting with 'psbt\\xff')");
        return bytes;
    }

    public TransactionIntent Decode(ReadOnlySpan<byte> unsignedPayload, SignerKey? signer = null)
    {
        var (psbt, spent) = Load(unsignedPayload);
        return PsbtIntent.Decode(Chain, psbt, spent);
    }

    // Parsed, bounded in size (before any quadratic legacy sighash), and every spent output proven.
    private (PartiallySignedTransaction Psbt, TxOutput[] Spent) Load(ReadOnlySpan<byte> payload)
    {
        var psbt = PartiallySignedTransaction.Parse(payload);
        PsbtIntent.RequireStandardWeight(psbt.UnsignedTransaction);
        return (psbt, SpentOutputs.Resolve(psbt, _network));
    }

    public SignedTransaction Sign(ReadOnlySpan<byte> unsignedPayload, IKeyRing keys, KeyPath? signerPath)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var (psbt, spent) = Load(unsignedPayload);
        var intent = PsbtIntent.Decode(Chain, psbt, spent);
        var wallet = new KeyOwnership(keys, signerPath);

        var signer = new PsbtSigner(psbt, _network, spent, wallet, _account);
        signer.VerifyChange();
        var signed = signer.SignAll(out var signedNow);
        if (signedNow.Count == 0)
            throw new InvalidInputException("psbt",
                $"no unfinalised input names a key of this wallet (fingerprint {wallet.Fingerprint:x8}{(signerPath is null ? "" : " under " + signerPath)})");

        var progress = signed.Inputs
            .Select(i => new InputSigning(i.Name, signedNow.Contains(i.Index), PsbtFinalizer.SignaturesMissing(i, spent[i.Index].ScriptPubKey))
            {
                Leaves = PsbtFinalizer.LeafSignaturesMissing(i, spent[i.Index].ScriptPubKey),
            })
            .ToArray();
        if (PsbtFinalizer.TryFinalizeAll(signed, spent) is { } complete)
            return new SignedTransaction(complete.ToBase64(), complete.ExtractTransaction().TxId, intent) { Inputs = progress };
        return new SignedTransaction(signed.ToBase64(), PsbtFinalizer.PredictTxId(signed, spent) ?? "", intent) { Inputs = progress };
    }

    /// <summary>
    /// The Combiner role: PSBTs of one transaction from several cosigners, merged; conflicts
    /// (two signatures for one key, differing UTXOs or scripts) are refused naming the field,
    /// and the result's spent outputs are proven as for signing.
    /// </summary>
    public PartiallySignedTransaction Combine(IReadOnlyList<byte[]> payloads)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var psbts = payloads.Select((p, i) =>
        {
            try
            {
                return Load(p).Psbt;
            }
            catch (InvalidInputException e)
            {
                throw new InvalidInputException($"psbt[{i}].{e.Field}", e.Reason);
            }
        }).ToArray();
        var combined = PsbtCombiner.Combine(psbts);
        SpentOutputs.Resolve(combined, _network);
        return combined;
    }

    /// <summary>
    /// The Finalizer and Extractor roles: every input finalised (cosigners' signatures verified
    /// first) and the network transaction; refused naming the inputs that still need signatures.
    /// </summary>
    public (PartiallySignedTransaction Final, BitcoinTransaction Transaction) FinalizeAndExtract(ReadOnlySpan<byte> payload)
    {
        var (psbt, spent) = Load(payload);
        if (PsbtFinalizer.TryFinalizeAll(psbt, spent) is { } complete) return (complete, complete.ExtractTransaction());
        var missing = psbt.Inputs
            .Select(i => (i.Name, Missing: PsbtFinalizer.SignaturesMissing(i, spent[i.Index].ScriptPubKey)))
            .Where(m => m.Missing != 0)
            .Select(m => m.Missing is { } n ? $"{m.Name} needs {n} more signature{(n == 1 ? "" : "s")}" : $"{m.Name} has a script this finaliser does not know")
            .ToArray();
        throw new InvalidInputException("psbt", "cannot be finalised: " + string.Join("; ", missing));
    }
}
