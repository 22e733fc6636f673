using Custody.Core.Chains.Evm;

namespace Custody.Core.Chains.Tron;

/// <summary>
/// The TRON family: raw_data transactions, Base58Check "T…" addresses, TRC-10/TRC-20 tokens and
/// EVM-style 4-byte selectors. TRON has no nonce, so nothing conflicts and nothing replaces.
/// </summary>
public sealed class TronFamily : ChainFamily<TronNetwork>
{
    public static TronFamily Instance { get; } = new();

    private TronFamily() => Presets = [new("trx", "TRON", this, 195, KeyCurve.Secp256k1, TronNetwork.Mainnet) { NativeUnit = new("TRX", 6) }];

    public override string Name => "Tron";

    public override IReadOnlyList<Chain> Presets { get; }

    public override ITransactionCodec Codec(Chain chain) => new TronCodec(chain);

    public override string Address(Chain chain, ReadOnlySpan<byte> publicKey, DerivationScheme scheme) => TronAddress.FromPublicKey(publicKey);

    public override string NormalizeAddress(Chain chain, string text) => TronAddress.Normalize(text);

    public override bool HasTokens => true;

    public override string NormalizeSelector(string selector) => EvmSelector.Normalize(selector);

    public override string? SelectorError(string selector) => EvmSelector.Error(selector);
}
