using Custody.Core;
using Custody.Core.Chains;
using Custody.Core.Chains.Evm;
using Custody.V1;

namespace Custody.Daemon.Signing;

/// <summary>What an EVM message request asks to sign, decoded for its chain: EIP-191 personal_sign or EIP-712 typed data.</summary>
public static class EvmMessage
{
    public static DecodedMessage Decode(SignMessageRequest request, Chain chain)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(chain);
        return request.MessageCase switch
        {
            SignMessageRequest.MessageOneofCase.PersonalMessage => new DecodedMessage(EvmMessages.PersonalMessageDigest(request.PersonalMessage.Span), []),
            SignMessageRequest.MessageOneofCase.TypedDataJson => EvmMessages.DecodeTypedData(request.TypedDataJson, chain.EvmChainId!.Value, "typed_data_json"),
            _ => throw new InvalidInputException("message", "give personal_message (EIP-191) or typed_data_json (EIP-712)"),
        };
    }
}
