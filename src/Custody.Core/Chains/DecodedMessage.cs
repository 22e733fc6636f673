namespace Custody.Core.Chains;

/// <summary>
/// An off-chain message (not a transaction) decoded for signing: the 32-byte digest the key
/// signs, and the facts the decoder found in it, which the policy judges by the chain's
/// allowNotes as it judges a transaction's notes. Both follow from the message alone, so the
/// digest identifies the notes too.
/// </summary>
/// <param name="Digest">What is signed, e.g. an EIP-191 or EIP-712 digest.</param>
/// <param name="Notes">e.g. "eip712:no-chain-id"; empty when there is nothing to judge.</param>
public sealed record DecodedMessage(byte[] Digest, IReadOnlyList<string> Notes);
