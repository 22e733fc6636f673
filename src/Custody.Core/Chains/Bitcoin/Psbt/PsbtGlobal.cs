using Custody.Core.Chains.Bitcoin.Transactions;

namespace Custody.Core.Chains.Bitcoin.Psbt;

/// <summary>The global map of a version 0 PSBT: the unsigned transaction, xpubs, version, unknown fields.</summary>
public sealed class PsbtGlobal
{
    private const string Name = "global";

    public PsbtGlobal(PsbtMap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        Map = map;
        var xpubs = new List<PsbtGlobalXpub>();
        var unknown = new List<PsbtKeyValue>();
        BitcoinTransaction? tx = null;
        foreach (var entry in map.Entries)
        {
            var field = $"{Name}.{PsbtGlobalKey.Name(entry.KeyType)}";
            switch (entry.KeyType)
            {
                case PsbtGlobalKey.UnsignedTx:
                    PsbtField.RequireEmptyKey(entry, field);
                    tx = ParseUnsignedTransaction(entry.Value, field);
                    for (var i = 0; i < tx.Inputs.Count; i++)
                        if (!tx.Inputs[i].ScriptSig.IsEmpty)
                            throw new InvalidInputException(field, $"input[{i}] has a scriptSig; an unsigned transaction's scriptSigs are empty");
                    break;
                case PsbtGlobalKey.Xpub:
                    PsbtField.RequireKeyLength(entry, field, 78, "a serialised extended public key");
                    xpubs.Add(new PsbtGlobalXpub(entry.KeyData.ToArray(), KeyOrigin.Parse(entry.Value, field)));
                    break;
                case PsbtGlobalKey.Version:
                    PsbtField.RequireEmptyKey(entry, field);
                    PsbtField.RequireValueLength(entry, field, 4);
                    var version = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(entry.Value);
                    if (version != 0) throw new InvalidInputException(field, $"PSBT version {version} is not supported (only version 0)");
                    Version = version;
                    break;
                case PsbtGlobalKey.TxVersion or PsbtGlobalKey.FallbackLocktime or PsbtGlobalKey.InputCount
                    or PsbtGlobalKey.OutputCount or PsbtGlobalKey.TxModifiable:
                    throw PsbtField.VersionTwoOnly(field);
                case PsbtGlobalKey.Proprietary:
                    PsbtField.RequireProprietaryKey(entry, field);
                    unknown.Add(entry);
                    break;
                default:
                    unknown.Add(entry);
                    break;
            }
        }
        UnsignedTransaction = tx ?? throw new InvalidInputException($"{Name}.unsigned_tx", "missing (a version 0 PSBT must carry the unsigned transaction)");
        Xpubs = xpubs;
        Unknown = unknown;
    }

    private static BitcoinTransaction ParseUnsignedTransaction(ReadOnlySpan<byte> value, string field)
    {
        try
        {
            return BitcoinTransaction.Parse(value, allowWitness: false, field);
        }
        catch (InvalidInputException e) when (value.Length > 6 && value[4] == 0x00 && value[5] == 0x01)
        {
            // A segwit marker (00 01 after the version) gets its own reason instead of the misreading it causes.
            throw new InvalidInputException(field, "serialised in the witness format; a PSBT carries the unsigned transaction without witness", e);
        }
    }

    public PsbtMap Map { get; }

    public BitcoinTransaction UnsignedTransaction { get; }

    public IReadOnlyList<PsbtGlobalXpub> Xpubs { get; }

    /// <summary>PSBT_GLOBAL_VERSION when present (always 0 here).</summary>
    public uint? Version { get; }

    /// <summary>Unknown and proprietary fields, kept as they came.</summary>
    public IReadOnlyList<PsbtKeyValue> Unknown { get; }
}
