namespace Custody.Core.Chains;

/// <summary>
/// A supported chain as a value: its registry id (the only place a bare string like "btc" is
/// accepted; the ledger stores it), its family object, SLIP-44 coin type, curve and the typed
/// network parameters its family reads (<see cref="ChainFamily{TNetwork}.NetworkOf"/>).
/// </summary>
/// <param name="Id">"btc", "btc-testnet", "btc-regtest", "ltc", "doge", "eth", "evm:&lt;chainId&gt;", "trx", "sol".</param>
public sealed record Chain(
    string Id,
    string DisplayName,
    ChainFamily Family,
    uint CoinType,
    KeyCurve Curve,
    ChainNetwork Network)
{
    /// <summary>The codec of this chain's unsigned transactions (its family's).</summary>
    public ITransactionCodec Codec() => Family.Codec(this);

    /// <summary>The native asset's unit, for amounts shown to people; null for a chain known only by its id (an unnamed EVM chain).</summary>
    public AssetUnit? NativeUnit { get; init; }

    public override string ToString() => Id;
}
