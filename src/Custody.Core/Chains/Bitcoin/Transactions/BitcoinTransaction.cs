using Custody.Core.Chains.Bitcoin.Wire;
using Custody.Core.Crypto;

namespace Custody.Core.Chains.Bitcoin.Transactions;

/// <summary>
/// A Bitcoin-family transaction (BTC, LTC, DOGE share the format): version, inputs,
/// outputs, lock time, and the BIP144 witness when any input has one. Immutable;
/// parsing is bounded by the input and names the field that does not fit.
/// </summary>
public sealed class BitcoinTransaction
{
    private byte[]? _txHash;

    public BitcoinTransaction(int version, IEnumerable<TxInput> inputs, IEnumerable<TxOutput> outputs, uint lockTime)
    {
        Version = version;
        Inputs = [.. inputs];
        Outputs = [.. outputs];
        LockTime = lockTime;
    }

    public int Version { get; }

    public IReadOnlyList<TxInput> Inputs { get; }

    public IReadOnlyList<TxOutput> Outputs { get; }

    public uint LockTime { get; }

    public bool HasWitness => Inputs.Any(input => input.Witness.Count > 0);

    /// <summary>
    /// Parses exactly one transaction. With <paramref name="allowWitness"/> false the
    /// BIP144 marker is not recognised (a PSBT's unsigned transaction must be in the
    /// legacy form, which is also the only way to read a transaction without inputs).
    /// </summary>
    public static BitcoinTransaction Parse(ReadOnlySpan<byte> bytes, bool allowWitness = true, string field = "tx")
    {
        var reader = new WireReader(bytes);
        var tx = Read(ref reader, allowWitness, field);
        reader.EnsureEnd(field);
        return tx;
    }

    public static BitcoinTransaction ParseHex(string hex, bool allowWitness = true, string field = "tx")
    {
        ArgumentNullException.ThrowIfNull(hex);
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(hex.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidInputException(field, "not hex");
        }
        return Parse(bytes, allowWitness, field);
    }

    internal static BitcoinTransaction Read(ref WireReader reader, bool allowWitness, string field)
    {
        var version = reader.ReadInt32(field + ".version");
        var segwit = false;
        if (allowWitness && reader.Remaining > 0 && reader.PeekByte(field) == 0)
        {
            reader.ReadByte(field + ".marker");
            var flag = reader.ReadByte(field + ".flag");
            if (flag != 1) throw new InvalidInputException(field + ".flag", $"unknown segwit flag 0x{flag:x2}");
            segwit = true;
        }

        var inputCount = reader.ReadCount(field + ".inputs", TxInput.MinSize);
        var inputs = new TxInput[inputCount];
        for (var i = 0; i < inputCount; i++)
            inputs[i] = TxInput.Read(ref reader, $"{field}.input[{i}]");

        var outputCount = reader.ReadCount(field + ".outputs", TxOutput.MinSize);
        var outputs = new TxOutput[outputCount];
        for (var i = 0; i < outputCount; i++)
            outputs[i] = TxOutput.Read(ref reader, $"{field}.output[{i}]");

        if (segwit)
        {
            var any = false;
            for (var i = 0; i < inputCount; i++)
            {
                var stack = WitnessStack.Read(ref reader, $"{field}.input[{i}].witness");
                any |= stack.Length > 0;
                inputs[i] = new TxInput(inputs[i].PrevOut, inputs[i].ScriptSig, inputs[i].Sequence, stack);
            }
            if (!any) throw new InvalidInputException(field + ".witness", "segwit marker without any witness (superfluous witness record)");
        }

        var lockTime = reader.ReadUInt32(field + ".locktime");
        return new BitcoinTransaction(version, inputs, outputs, lockTime);
    }

    /// <summary>The wire form; with witness data only when asked for and present (BIP144).</summary>
    public byte[] ToBytes(bool includeWitness = true)
    {
        var writer = new WireWriter(64 + Inputs.Count * 48 + Outputs.Count * 40);
        Write(writer, includeWitness);
        return writer.ToArray();
    }

    public string ToHex(bool includeWitness = true) => Convert.ToHexStringLower(ToBytes(includeWitness));

    internal void Write(WireWriter writer, bool includeWitness)
    {
        var witness = includeWitness && HasWitness;
        writer.WriteInt32(Version);
        if (witness)
        {
            writer.WriteByte(0x00);
            writer.WriteByte(0x01);
        }
        writer.WriteCompactSize((ulong)Inputs.Count);
        foreach (var input in Inputs) input.Write(writer);
        writer.WriteCompactSize((ulong)Outputs.Count);
        foreach (var output in Outputs) output.Write(writer);
        if (witness)
            foreach (var input in Inputs) input.WriteWitness(writer);
        writer.WriteUInt32(LockTime);
    }

    /// <summary>SHA256d of the serialisation without witness, in internal byte order (what outpoints carry).</summary>
    public ReadOnlySpan<byte> TxHash => _txHash ??= Hashes.Sha256d(ToBytes(includeWitness: false));

    /// <summary>The txid in display order (reversed hex).</summary>
    public string TxId => OutPoint.DisplayHex(TxHash);

    /// <summary>The witness txid (BIP141) in display order; equals <see cref="TxId"/> without witness.</summary>
    public string WTxId => OutPoint.DisplayHex(Hashes.Sha256d(ToBytes(includeWitness: true)));

    /// <summary>The same transaction with the inputs replaced (a finaliser fills scriptSigs and witnesses).</summary>
    public BitcoinTransaction WithInputs(IEnumerable<TxInput> inputs) => new(Version, inputs, Outputs, LockTime);
}
