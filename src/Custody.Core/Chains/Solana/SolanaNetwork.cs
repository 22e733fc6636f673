namespace Custody.Core.Chains.Solana;

/// <summary>A Solana cluster. Addresses and messages do not name it; only the registry id does.</summary>
public sealed record SolanaNetwork(string Cluster) : ChainNetwork
{
    public static SolanaNetwork Mainnet { get; } = new("mainnet-beta");
}
