namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// The Combiner role (BIP174): the union of several PSBTs of one unsigned transaction, map by
/// map. Where two PSBTs hold the same key with different values (two signatures for one key,
/// differing UTXOs, redeem or witness scripts, derivations) the combination is refused naming
/// the field, instead of keeping one of them: a cosigner's PSBT must not silently replace what
/// another signed or proved.
/// </summary>
public static class PsbtCombiner
{
    public static PartiallySignedTransaction Combine(IReadOnlyList<PartiallySignedTransaction> psbts)
    {
        ArgumentNullException.ThrowIfNull(psbts);
        if (psbts.Count == 0) throw new InvalidInputException("psbt", "nothing to combine");
        var first = psbts[0];
        var unsigned = first.UnsignedTransaction.ToBytes(includeWitness: false);
        var result = first;
        for (var p = 1; p < psbts.Count; p++)
        {
            var other = psbts[p];
            if (!other.UnsignedTransaction.ToBytes(includeWitness: false).AsSpan().SequenceEqual(unsigned))
                throw new InvalidInputException($"psbt[{p}].global.unsigned_tx", "is another transaction than psbt[0]'s; only PSBTs of one transaction combine");
            var global = Merge(result.Global.Map, other.Global.Map, $"psbt[{p}].global", PsbtGlobalKey.Name);
            var inputs = result.Inputs.Select((input, i) =>
                new PsbtInput(i, Merge(input.Map, other.Inputs[i].Map, $"psbt[{p}].{input.Name}", PsbtInputKey.Name))).ToArray();
            var outputs = result.Outputs.Select((output, i) =>
                new PsbtOutput(i, Merge(output.Map, other.Outputs[i].Map, $"psbt[{p}].{output.Name}", PsbtOutputKey.Name))).ToArray();
            result = PartiallySignedTransaction.FromMaps(new PsbtGlobal(global), inputs, outputs);
        }
        return result;
    }

    private static PsbtMap Merge(PsbtMap into, PsbtMap from, string mapName, Func<ulong, string> fieldName)
    {
        var merged = into;
        foreach (var entry in from.Entries)
        {
            if (into.Find(entry.KeyType, entry.KeyData) is { } existing)
            {
                if (!existing.Value.SequenceEqual(entry.Value))
                    throw new InvalidInputException($"{mapName}.{fieldName(entry.KeyType)}", Conflict(entry));
                continue;
            }
            merged = merged.WithGrouped(entry);
        }
        return merged;
    }

    private static string Conflict(PsbtKeyValue entry) => entry.KeyData.IsEmpty
        ? "differs from the value an earlier PSBT gives; refusing to choose one"
        : $"differs for key {Convert.ToHexStringLower(entry.KeyData[..Math.Min(8, entry.KeyData.Length)])}… from an earlier PSBT (e.g. two different signatures for one key); refusing to choose one";
}
