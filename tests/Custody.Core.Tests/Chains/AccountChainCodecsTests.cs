using Custody.Core.Chains;
using Custody.Core.Chains.Evm;
using Custody.Core.Chains.Solana;
using Custody.Core.Chains.Tron;

namespace Custody.Core.Tests.Chains;

public class AccountChainCodecsTests
{
    [Theory]
    [InlineData("eth", typeof(EvmCodec))]
    [InlineData("evm:137", typeof(EvmCodec))]
    [InlineData("evm:424242", typeof(EvmCodec))]
    [InlineData("trx", typeof(TronCodec))]
    [InlineData("sol", typeof(SolanaCodec))]
    public void Each_account_family_gets_its_codec_for_that_chain(string id, Type codecType)
    {
        var chain = ChainRegistry.Get(id);
        var codec = chain.Codec();
        Assert.IsType(codecType, codec);
        Assert.Equal(chain, codec.Chain);
    }

    [Fact]
    public void Every_registered_chain_has_a_codec_for_itself()
    {
        foreach (var chain in ChainRegistry.All)
            Assert.Same(chain, chain.Codec().Chain);
    }
}
