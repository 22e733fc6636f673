namespace Custody.Core.Chains.Evm;

/// <summary>The transaction envelopes Custody decodes (EIP-2718 type byte; legacy has none).</summary>
public enum EvmTransactionType : byte
{
    /// <summary>Untyped RLP list; EIP-155 adds the chain id to what is signed.</summary>
    Legacy = 0,

    /// <summary>EIP-2930: type 0x01, gas price plus access list.</summary>
    AccessList = 1,

    /// <summary>EIP-1559: type 0x02, priority fee and fee cap.</summary>
    DynamicFee = 2,
}
