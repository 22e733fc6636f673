using System.Numerics;
using Custody.Core;
using Custody.Core.Chains;
using Custody.Core.Chains.Evm;
using Custody.V1;

namespace Custody.Daemon.Signing;

/// <summary>The digest an EVM message request asks to sign: EIP-191 personal_sign or EIP-712 typed data.</summary>
public static class EvmMessage
{
    public static byte[] Digest(SignMessageRequest request, Chain chain)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(chain);
        switch (request.MessageCase)
        {
            case SignMessageRequest.MessageOneofCase.PersonalMessage:
                return EvmMessages.PersonalMessageDigest(request.PersonalMessage.Span);
            case SignMessageRequest.MessageOneofCase.TypedDataJson:
                var typed = Eip712.Parse(request.TypedDataJson, "typed_data_json");
                // A signature meant for one chain is not given for another.
                if (typed.DomainChainId is { } id && id != new BigInteger(chain.EvmChainId!.Value))
                    throw new InvalidInputException("typed_data_json", $"typed data is for chain id {id}, not {chain.EvmChainId} ({chain.Id})");
                return typed.Digest();
            default:
                throw new InvalidInputException("message", "give personal_message (EIP-191) or typed_data_json (EIP-712)");
        }
    }
}
