using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Evm;
using Custody.Core.Chains.Solana;
using Custody.Core.Chains.Tron;

namespace Custody.Core.Chains;

/// <summary>The one place that picks a chain family's transaction codec.</summary>
public static class TransactionCodecs
{
    public static ITransactionCodec For(Chain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return chain.Family switch
        {
            ChainFamily.Bitcoin => new PsbtCodec(chain),
            ChainFamily.Evm => new EvmCodec(chain),
            ChainFamily.Tron => new TronCodec(chain),
            ChainFamily.Solana => new SolanaCodec(chain),
            _ => throw new InvalidInputException("chain", $"{chain.Id}: {chain.Family} transactions are not supported yet"),
        };
    }
}
