using Custody.Core.Chains.Bitcoin.Transactions;
using Custody.Core.Chains.Bitcoin.Wire;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>
/// A version 0 PSBT (BIP174, with the BIP371 taproot fields): the global map with
/// the unsigned transaction, one map per input and per output. Parsing checks every
/// field's shape and refuses duplicates; serialising gives back the same bytes,
/// unknown and proprietary fields included. Immutable: With… returns a new PSBT.
/// </summary>
public sealed class PartiallySignedTransaction
{
    private static ReadOnlySpan<byte> Magic => [0x70, 0x73, 0x62, 0x74, 0xff]; // "psbt" 0xff

    private PartiallySignedTransaction(PsbtGlobal global, IReadOnlyList<PsbtInput> inputs, IReadOnlyList<PsbtOutput> outputs)
    {
        Global = global;
        Inputs = inputs;
        Outputs = outputs;
    }

    public PsbtGlobal Global { get; }

    /// <summary>A PSBT from its maps (the Combiner's result); the counts must match the unsigned transaction.</summary>
    internal static PartiallySignedTransaction FromMaps(PsbtGlobal global, IReadOnlyList<PsbtInput> inputs, IReadOnlyList<PsbtOutput> outputs)
    {
        if (inputs.Count != global.UnsignedTransaction.Inputs.Count || outputs.Count != global.UnsignedTransaction.Outputs.Count)
            throw new ArgumentException("one map per input and output of the unsigned transaction");
        return new PartiallySignedTransaction(global, inputs, outputs);
    }

    public IReadOnlyList<PsbtInput> Inputs { get; }

    public IReadOnlyList<PsbtOutput> Outputs { get; }

    public BitcoinTransaction UnsignedTransaction => Global.UnsignedTransaction;

    /// <summary>True when the bytes start with the PSBT magic "psbt\xff".</summary>
    public static bool HasMagic(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Magic);

    /// <summary>A PSBT with empty input and output maps for an unsigned transaction (the Creator role).</summary>
    public static PartiallySignedTransaction Create(BitcoinTransaction unsignedTransaction)
    {
        ArgumentNullException.ThrowIfNull(unsignedTransaction);
        if (unsignedTransaction.HasWitness)
            throw new InvalidInputException("global.unsigned_tx", "an unsigned transaction has no witness");
        var global = new PsbtGlobal(PsbtMap.Empty.With(
            PsbtKeyValue.Create(PsbtGlobalKey.UnsignedTx, [], unsignedTransaction.ToBytes(includeWitness: false))));
        return new PartiallySignedTransaction(global,
            [.. Enumerable.Range(0, unsignedTransaction.Inputs.Count).Select(i => new PsbtInput(i, PsbtMap.Empty))],
            [.. Enumerable.Range(0, unsignedTransaction.Outputs.Count).Select(i => new PsbtOutput(i, PsbtMap.Empty))]);
    }

    public static PartiallySignedTransaction Parse(ReadOnlySpan<byte> bytes)
    {
        if (!HasMagic(bytes)) throw new InvalidInputException("psbt", "does not start with the PSBT magic bytes 'psbt\\xff'");
        var reader = new WireReader(bytes[Magic.Length..]);
        var global = new PsbtGlobal(PsbtMap.Read(ref reader, "global", PsbtGlobalKey.Name));
        var tx = global.UnsignedTransaction;
        var inputs = new PsbtInput[tx.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
            inputs[i] = new PsbtInput(i, PsbtMap.Read(ref reader, $"input[{i}]", PsbtInputKey.Name));
        var outputs = new PsbtOutput[tx.Outputs.Count];
        for (var i = 0; i < outputs.Length; i++)
            outputs[i] = new PsbtOutput(i, PsbtMap.Read(ref reader, $"output[{i}]", PsbtOutputKey.Name));
        reader.EnsureEnd("psbt");
        return new PartiallySignedTransaction(global, inputs, outputs);
    }

    /// <summary>Parses the base64 text form; anything that is not strict base64 is refused.</summary>
    public static PartiallySignedTransaction ParseBase64(string text) => Parse(DecodeBase64(text));

    /// <summary>The binary form of a base64 PSBT text.</summary>
    public static byte[] DecodeBase64(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        var buffer = new byte[text.Length / 4 * 3 + 3];
        if (text.Length == 0 || !Convert.TryFromBase64String(text, buffer, out var written))
            throw new InvalidInputException("psbt", "not valid base64");
        return buffer[..written];
    }

    public byte[] ToBytes()
    {
        var writer = new WireWriter(1024);
        writer.WriteBytes(Magic);
        Global.Map.Write(writer);
        foreach (var input in Inputs) input.Map.Write(writer);
        foreach (var output in Outputs) output.Map.Write(writer);
        return writer.ToArray();
    }

    public string ToBase64() => Convert.ToBase64String(ToBytes());

    public PartiallySignedTransaction WithInput(PsbtInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if ((uint)input.Index >= (uint)Inputs.Count) throw new ArgumentOutOfRangeException(nameof(input), "no such input");
        var inputs = Inputs.ToArray();
        inputs[input.Index] = input;
        return new PartiallySignedTransaction(Global, inputs, Outputs);
    }

    public PartiallySignedTransaction WithOutput(PsbtOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if ((uint)output.Index >= (uint)Outputs.Count) throw new ArgumentOutOfRangeException(nameof(output), "no such output");
        var outputs = Outputs.ToArray();
        outputs[output.Index] = output;
        return new PartiallySignedTransaction(Global, Inputs, outputs);
    }

    public bool IsFinalized => Inputs.All(input => input.IsFinalized);

    /// <summary>
    /// The Extractor role: the network transaction, each input's scriptSig and witness
    /// taken from its final fields. Refused while any input is not finalised.
    /// </summary>
    public BitcoinTransaction ExtractTransaction()
    {
        var tx = UnsignedTransaction;
        var inputs = new TxInput[tx.Inputs.Count];
        for (var i = 0; i < inputs.Length; i++)
        {
            var input = Inputs[i];
            if (!input.IsFinalized) throw new InvalidInputException(input.Name, "not finalised; the transaction is not complete");
            inputs[i] = tx.Inputs[i].With(input.FinalScriptSig is { } scriptSig ? scriptSig.Span : [], input.FinalScriptWitness);
        }
        return tx.WithInputs(inputs);
    }
}
