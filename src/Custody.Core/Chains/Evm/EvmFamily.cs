using System.Globalization;
using Custody.Core.Hd;

namespace Custody.Core.Chains.Evm;

/// <summary>
/// The EVM family: any chain by its EIP-155 id ("evm:&lt;chainId&gt;", presets for the well-known
/// ones), RLP transactions, EIP-55 addresses, ERC-20 tokens, 4-byte selectors, EIP-191 / EIP-712
/// messages, and fee bumps (same nonce, same call) as replacements.
/// </summary>
public sealed class EvmFamily : ChainFamily<EvmNetwork>
{
    private const string IdPrefix = "evm:";

    // All EVM chains share Ethereum's coin type: the same key signs on every EVM chain,
    // and the chain id inside the transaction (EIP-155) is what keeps them apart.
    private const uint EthereumCoinType = 60;

    public static EvmFamily Instance { get; } = new();

    private EvmFamily()
    {
        Presets =
        [
            Chain(1, "Ethereum", "ETH", "eth"),
            Chain(137, "Polygon", "POL"),
            Chain(56, "BNB Smart Chain", "BNB"),
            Chain(42161, "Arbitrum One", "ETH"),
            Chain(10, "OP Mainnet", "ETH"),
            Chain(8453, "Base", "ETH"),
        ];
    }

    public override string Name => "Evm";

    public override IReadOnlyList<Chain> Presets { get; }

    public override string IdPattern => IdPrefix + "<chainId>";

    /// <summary>"evm:&lt;chainId&gt;" for a positive decimal chain id: a preset's own chain when it has that id.</summary>
    public override bool TryParseId(string id, out Chain? chain)
    {
        ArgumentNullException.ThrowIfNull(id);
        chain = null;
        if (!id.StartsWith(IdPrefix, StringComparison.OrdinalIgnoreCase) ||
            !ulong.TryParse(id.AsSpan(IdPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var chainId) || chainId == 0)
            return false;
        chain = Presets.FirstOrDefault(c => NetworkOf(c).ChainId == chainId) ?? Chain(chainId, $"EVM chain {chainId}", symbol: null);
        return true;
    }

    /// <summary>The chain with EIP-155 id <paramref name="chainId"/>.</summary>
    public static Chain ForChainId(ulong chainId) =>
        Instance.TryParseId(IdPrefix + chainId.ToString(CultureInfo.InvariantCulture), out var chain)
            ? chain!
            : throw new InvalidInputException("chain", "EVM chain id must be positive");

    // Every EVM chain's native coin has 18 decimals (wei); only a preset knows its symbol.
    private Chain Chain(ulong chainId, string name, string? symbol, string? alias = null) =>
        new(alias ?? IdPrefix + chainId.ToString(CultureInfo.InvariantCulture), name, this, EthereumCoinType, KeyCurve.Secp256k1, new EvmNetwork(chainId))
        {
            NativeUnit = symbol is null ? null : new AssetUnit(symbol, 18),
        };

    public override ITransactionCodec Codec(Chain chain) => new EvmCodec(chain);

    public override string Address(Chain chain, ReadOnlySpan<byte> publicKey, DerivationScheme scheme) => EvmAddress.FromPublicKey(publicKey);

    public override string NormalizeAddress(Chain chain, string text) => EvmAddress.Normalize(text);

    public override IOffChainMessages Messages { get; } = new EvmMessageSigning();

    public override bool HasTokens => true;

    public override string NormalizeSelector(string selector) => EvmSelector.Normalize(selector);

    public override string? SelectorError(string selector) => EvmSelector.Error(selector);

    /// <summary>
    /// A fee bump: the same outputs, call (contract, selector, value), sources and notes, and for a
    /// call the same calldata digest — without it the data cannot be proven equal, so no replacement;
    /// an ERC-20 call (decoded in full into outputs) must keep its digest when both intents carry one
    /// (an intent signed before the decoder emitted the digest carries none).
    /// </summary>
    public override bool AllowsReplacement(TransactionIntent previous, TransactionIntent next, out string reason)
    {
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(next);
        reason = "";
        if (!Payments(previous).SequenceEqual(Payments(next)))
            reason = "a fee bump must keep the same destination and value";
        else if (previous.Call != next.Call)
            reason = "a fee bump must keep the same contract call";
        else if (!Facts(previous).SequenceEqual(Facts(next)))
            reason = "a fee bump must keep the same sources and notes";
        else if (next.Call is not null && (next.CalldataDigest is null || next.CalldataDigest != previous.CalldataDigest))
            reason = "a fee bump of a contract call needs the same calldata digest, which the intent does not prove";
        else if (previous.CalldataDigest is { } before && next.CalldataDigest is { } after && before != after)
            reason = "a fee bump must keep the same calldata digest";
        return reason.Length == 0;
    }

    private static IEnumerable<string> Payments(TransactionIntent intent) => intent.Outputs
        .Select(o => $"{o.Destination}|{o.Asset}|{o.Amount.ToString(CultureInfo.InvariantCulture)}|{o.IsChange}")
        .Order(StringComparer.Ordinal);

    private static IEnumerable<string> Facts(TransactionIntent intent) =>
        intent.Sources.Select(s => "source:" + s).Concat(intent.Notes).Order(StringComparer.Ordinal);

    /// <summary>EIP-191 personal_sign and EIP-712 typed data, bound to the chain's id.</summary>
    private sealed class EvmMessageSigning : IOffChainMessages
    {
        public DecodedMessage Decode(Chain chain, OffChainMessage message) => message switch
        {
            PersonalMessage personal => new DecodedMessage(EvmMessages.PersonalMessageDigest(personal.Bytes), []),
            TypedDataMessage typed => EvmMessages.DecodeTypedData(typed.Json, NetworkOf(chain).ChainId, typed.Field),
            _ => throw new InvalidInputException("message", "give personal_message (EIP-191) or typed_data_json (EIP-712)"),
        };

        public SignedMessage Sign(IKeyRing keys, KeyPath path, ReadOnlySpan<byte> digest)
        {
            var signature = EvmMessages.SignDigest(keys, path, digest);
            return new SignedMessage(signature, EvmMessages.RecoverAddress(digest, signature));
        }
    }
}
