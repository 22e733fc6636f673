using System.Numerics;

namespace Custody.Core.Chains;

/// <summary>
/// What an unsigned transaction would do, decoded from its chain-native form. The
/// policy judges this, approvers read it, and the audit log digests it; so every
/// field is something the decoder proved from the bytes, never a caller's claim.
/// </summary>
/// <param name="Chain">The chain the transaction is for (its id, e.g. "btc", "evm:137", "sol", is what the canonical JSON carries).</param>
/// <param name="Sources">Addresses (or accounts) whose funds or authority are spent.</param>
/// <param name="Outputs">Transfers the transaction makes.</param>
/// <param name="Fee">The most the transaction can cost its sender in the native asset, in base units.</param>
/// <param name="Call">A contract call that is not a decoded transfer, if any.</param>
/// <param name="ReplayKeys">
/// Identities that only one transaction can ever use, so that a second, different transaction
/// using one conflicts with the first: Bitcoin outpoints ("txid:vout"), EVM "chainId/address/nonce",
/// a Solana durable nonce ("nonceAccount/nonce"). TRON has none, nor has a Solana transaction on a
/// recent blockhash: different transactions there never exclude each other.
/// </param>
/// <param name="Notes">
/// Facts the policy may want to refuse on, e.g. "sighash:NONE", "unresolved-lookup-table": every note
/// refuses unless the chain's allowNotes lists it. Measurements are typed fields, never notes.
/// </param>
public sealed record TransactionIntent(
    Chain Chain,
    IReadOnlyList<string> Sources,
    IReadOnlyList<IntentOutput> Outputs,
    BigInteger Fee,
    ContractCall? Call,
    IReadOnlyList<string> ReplayKeys,
    IReadOnlyList<string> Notes)
{
    private static readonly IReadOnlyDictionary<string, ReplayClaim> NoClaims = new Dictionary<string, ReplayClaim>(StringComparer.Ordinal);

    /// <summary>
    /// What the transaction says about the things some of its replay keys name, by key: for a
    /// Bitcoin outpoint, the value and script of the output it spends. A
    /// segwit v0 signature commits to the value of its own input only, so two PSBTs for the same
    /// inputs and outputs that each understate a different input could be combined, one signature
    /// from each, into a transaction paying a fee neither showed. Every transaction that uses a
    /// key must therefore claim the same about it (see <see cref="Policy.PolicyEvaluator"/>).
    /// </summary>
    public IReadOnlyDictionary<string, ReplayClaim> ReplayClaims { get; init; } = NoClaims;

    /// <summary>The claim about <paramref name="replayKey"/>, or null when the transaction makes none.</summary>
    public ReplayClaim? ClaimFor(string replayKey) => ReplayClaims.GetValueOrDefault(replayKey);

    /// <summary>
    /// The final transaction's virtual size in vbytes, a lower bound, where the family measures one
    /// (<see cref="ChainFamily.HasFeeRate"/>) and it can be bounded: what a fee-rate cap judges.
    /// </summary>
    public long? VirtualSize { get; init; }

    /// <summary>
    /// Inputs ("input[i]") whose spent amount rests on a witness_utxo alone: segwit v0 inputs
    /// without their full previous transaction. Their signatures commit to that amount, but two
    /// signing rounds that each understate a different input can still be combined into a
    /// transaction paying a fee neither showed; requireFullPrevTx refuses them (see docs/policy.md).
    /// </summary>
    public IReadOnlyList<string> WitnessUtxoOnlyInputs { get; init; } = [];

    /// <summary>SHA-256 of the call data, lower-case hex (EVM): proves a fee bump carries the same call.</summary>
    public string? CalldataDigest { get; init; }
}

/// <summary>What a transaction claims about the thing a replay key names: a spent output's value and locking script.</summary>
/// <param name="Value">Base units the spent output holds.</param>
/// <param name="Script">Its scriptPubKey, lower-case hex.</param>
public sealed record ReplayClaim(BigInteger Value, string Script)
{
    /// <summary>"value:script-hex", the form the canonical JSON carries.</summary>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + Script;

    public static ReplayClaim Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !BigInteger.TryParse(text.AsSpan(0, colon), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ||
            !Wire.HexText.IsLowerHex(text.AsSpan(colon + 1)))
            throw new InvalidInputException("intent", "a replay claim is value:script-hex");
        return new ReplayClaim(value, text[(colon + 1)..]);
    }
}

/// <summary>One transfer: an amount of an asset to a destination.</summary>
/// <param name="Destination">Address in the chain's canonical text form; null when it cannot be resolved offline.</param>
/// <param name="Asset">"native" for the chain's own coin, otherwise the token contract / mint address.</param>
/// <param name="Amount">Base units (satoshi, wei, sun, lamports, token base units).</param>
/// <param name="IsChange">True only when the output provably pays one of the wallet's own keys.</param>
public sealed record IntentOutput(string? Destination, string Asset, BigInteger Amount, bool IsChange)
{
    /// <summary>The <see cref="Asset"/> of the chain's own coin.</summary>
    public const string NativeAsset = "native";
}

/// <summary>A call into a contract or program that is not decoded as a transfer.</summary>
/// <param name="Contract">The contract / program address.</param>
/// <param name="Selector">EVM 4-byte selector as 0x-hex, or the program's instruction tag.</param>
/// <param name="Value">Native value sent with the call, in base units.</param>
public sealed record ContractCall(string Contract, string Selector, BigInteger Value);
