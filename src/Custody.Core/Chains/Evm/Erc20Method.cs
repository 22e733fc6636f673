namespace Custody.Core.Chains.Evm;

/// <summary>The ERC-20 (and TRC-20) calls decoded into transfers, by their 4-byte selectors.</summary>
public enum Erc20Method
{
    /// <summary>transfer(address,uint256), 0xa9059cbb.</summary>
    Transfer,

    /// <summary>transferFrom(address,address,uint256), 0x23b872dd.</summary>
    TransferFrom,

    /// <summary>approve(address,uint256), 0x095ea7b3.</summary>
    Approve,
}
