using System.Numerics;

namespace Custody.Core.Chains.Evm;

/// <summary>
/// What a call into a contract does, as intent parts: an ERC-20 transfer / transferFrom /
/// approve becomes an output in the token, anything else a <see cref="ContractCall"/> with
/// its selector. EVM and TRON (TRC-20) share it; each passes its own address printer.
/// Native value sent along is also an output to the contract, so limits that add up
/// outputs count it whatever the call is.
/// </summary>
public sealed record CallIntent(
    IReadOnlyList<IntentOutput> Outputs,
    ContractCall? Call,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> Notes)
{
    public static CallIntent Describe(
        string contract, ReadOnlySpan<byte> calldata, BigInteger value, Func<ReadOnlyMemory<byte>, string> addressText, string field)
    {
        var outputs = new List<IntentOutput>();
        var sources = new List<string>();
        var notes = new List<string>();
        ContractCall? call = null;
        if (Erc20Call.Decode(calldata, field) is { } erc20)
        {
            outputs.Add(new IntentOutput(addressText(erc20.To), contract, erc20.Amount, IsChange: false));
            switch (erc20.Method)
            {
                case Erc20Method.Approve:
                    notes.Add("erc20:approve");
                    break;
                case Erc20Method.TransferFrom:
                    notes.Add("erc20:transferFrom");
                    sources.Add(addressText(erc20.From)); // the holder whose tokens move
                    break;
            }
        }
        else
        {
            call = new ContractCall(contract, Erc20Call.Selector(calldata), value);
        }
        if (!value.IsZero) outputs.Add(new IntentOutput(contract, IntentOutput.NativeAsset, value, IsChange: false));
        return new CallIntent(outputs, call, sources, notes);
    }
}
