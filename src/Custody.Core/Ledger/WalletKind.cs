namespace Custody.Core.Ledger;

/// <summary>How a wallet's keys exist: an HD tree from a sealed seed, or one key inside the HSM.</summary>
public enum WalletKind
{
    Hd,
    HsmNative,
}
