namespace Custody.Core.Chains;

/// <summary>The families whose transaction formats Custody decodes; each has one folder under Chains/.</summary>
public enum ChainFamily
{
    Bitcoin,
    Evm,
    Tron,
    Solana,
}
