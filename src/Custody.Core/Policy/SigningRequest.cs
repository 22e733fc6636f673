using Custody.Core.Chains;
using Custody.Core.Hd;

namespace Custody.Core.Policy;

/// <summary>What the policy judges: who asks, for which wallet and chain, to do what (the decoded intent).</summary>
/// <param name="RequestId">The client's idempotency key.</param>
/// <param name="Principal">The authenticated caller (token or certificate subject), never a secret.</param>
/// <param name="WalletId">The wallet whose key would sign.</param>
/// <param name="Intent">The decoded transaction, or null for raw signing of an opaque digest/message (see <see cref="MessageNotes"/>).</param>
/// <param name="PayloadDigest">SHA-256 of the chain-native payload, hex: what approvals and the audit log refer to.</param>
/// <param name="ReceivedAt">Arrival time.</param>
/// <param name="Signer">
/// The key path that signs, for account chains and raw signing; null when the payload names its keys
/// (a PSBT). Part of the request's identity: one payload signed by two keys is two transactions.
/// </param>
public sealed record SigningRequest(
    string RequestId,
    string Principal,
    string WalletId,
    Chain Chain,
    TransactionIntent? Intent,
    string PayloadDigest,
    DateTimeOffset ReceivedAt,
    KeyPath? Signer = null)
{
    /// <summary>
    /// Without an intent: what the decoder found in the message (<see cref="Chains.DecodedMessage.Notes"/>,
    /// e.g. "eip712:no-chain-id"), judged by allowNotes like a transaction's notes. They follow from the
    /// payload, so the payload digest — and so the request's identity — covers them.
    /// </summary>
    public IReadOnlyList<string> MessageNotes { get; init; } = [];

    /// <summary>Bitcoin family: the wallet's descriptor account the transaction spends from (its change is judged against that descriptor), or null.</summary>
    public string? Account { get; init; }
}
