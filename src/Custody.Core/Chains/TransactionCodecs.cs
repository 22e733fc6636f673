using Custody.Core.Chains.Evm;
using Custody.Core.Chains.Solana;
using Custody.Core.Chains.Tron;

namespace Custody.Core.Chains;

/// <summary>The transaction codec of a chain, chosen by its family: the one place that maps a family to its folder.</summary>
public static class TransactionCodecs
{
    public static ITransactionCodec For(Chain chain) => chain?.Family switch
    {
        ChainFamily.Evm => new EvmCodec(chain),
        ChainFamily.Tron => new TronCodec(chain),
        ChainFamily.Solana => new SolanaCodec(chain),
        null => throw new ArgumentNullException(nameof(chain)),
        _ => throw new InvalidInputException("chain", $"no transaction codec for {chain.Id}"),
    };
}
