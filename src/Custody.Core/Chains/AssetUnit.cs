namespace Custody.Core.Chains;

/// <summary>How people write an asset: its symbol and how many decimals its base unit has (8 for BTC's satoshi, 18 for ETH's wei).</summary>
public sealed record AssetUnit(string Symbol, int Decimals);
