using System.Numerics;
using Custody.Core.Crypto;
using Custody.Core.Wire;

namespace Custody.Core.Chains.Evm;

/// <summary>
/// An EVM transaction of one of the three envelopes Custody signs: legacy (with or
/// without EIP-155), EIP-2930 and EIP-1559. Decoding is strict RLP, so the bytes
/// decoded are exactly the bytes <see cref="EncodeUnsigned"/> gives back, and the
/// signing hash of the input is the signing hash of what was decoded.
/// </summary>
public sealed record EvmTransaction
{
    /// <summary>Largest encoding accepted: geth's transaction pool limit (128 KiB).</summary>
    public const int MaxEncodedSize = 128 * 1024;

    public EvmTransactionType Type { get; init; }

    /// <summary>EIP-155 chain id; null only for a legacy transaction signed without one (replayable on every chain).</summary>
    public ulong? ChainId { get; init; }

    public ulong Nonce { get; init; }

    /// <summary>Legacy and EIP-2930 gas price, in wei.</summary>
    public BigInteger GasPrice { get; init; }

    /// <summary>EIP-1559 tip cap, in wei.</summary>
    public BigInteger MaxPriorityFeePerGas { get; init; }

    /// <summary>EIP-1559 fee cap, in wei.</summary>
    public BigInteger MaxFeePerGas { get; init; }

    public ulong GasLimit { get; init; }

    /// <summary>The 20-byte recipient; null (or empty, which is normalised to null) for a contract creation.</summary>
    public ReadOnlyMemory<byte>? To
    {
        get => _to;
        init => _to = value is { IsEmpty: true } ? null : value;
    }

    private readonly ReadOnlyMemory<byte>? _to;

    public BigInteger Value { get; init; }

    public ReadOnlyMemory<byte> Data { get; init; }

    /// <summary>EIP-2930 access list (typed transactions only).</summary>
    public IReadOnlyList<EvmAccessListEntry> AccessList { get; init; } = [];

    /// <summary>The most gas can cost: gas limit × gas price, or gas limit × fee cap for EIP-1559.</summary>
    public BigInteger MaxFee => GasLimit * (Type == EvmTransactionType.DynamicFee ? MaxFeePerGas : GasPrice);

    /// <summary>The bytes whose keccak256 is signed (type byte first for typed transactions).</summary>
    public byte[] EncodeUnsigned() => Encode(null);

    public byte[] EncodeSigned(EvmTxSignature signature) => Encode(signature);

    /// <summary>keccak256 of <see cref="EncodeUnsigned"/>.</summary>
    public byte[] SigningHash() => Hashes.Keccak256(EncodeUnsigned());

    private byte[] Encode(EvmTxSignature? signature)
    {
        var fields = new List<byte[]>(12);
        if (Type != EvmTransactionType.Legacy) fields.Add(Rlp.EncodeUInt(RequireChainId()));
        fields.Add(Rlp.EncodeUInt(Nonce));
        if (Type == EvmTransactionType.DynamicFee)
        {
            fields.Add(Rlp.EncodeUInt(MaxPriorityFeePerGas));
            fields.Add(Rlp.EncodeUInt(MaxFeePerGas));
        }
        else
        {
            fields.Add(Rlp.EncodeUInt(GasPrice));
        }
        fields.Add(Rlp.EncodeUInt(GasLimit));
        fields.Add(Rlp.EncodeBytes(To is { } to ? to.Span : []));
        fields.Add(Rlp.EncodeUInt(Value));
        fields.Add(Rlp.EncodeBytes(Data.Span));
        if (Type != EvmTransactionType.Legacy) fields.Add(EncodeAccessList());

        if (Type == EvmTransactionType.Legacy)
        {
            if (signature is not null)
            {
                fields.Add(Rlp.EncodeUInt(ChainId is { } id ? new BigInteger(id) * 2 + 35 + signature.YParity : 27 + signature.YParity));
            }
            else if (ChainId is { } id)
            {
                fields.Add(Rlp.EncodeUInt(id)); // EIP-155: (chainId, 0, 0) take the place of (v, r, s)
                fields.Add(Rlp.EncodeUInt(0UL));
                fields.Add(Rlp.EncodeUInt(0UL));
            }
        }
        else if (signature is not null)
        {
            fields.Add(Rlp.EncodeUInt((ulong)signature.YParity));
        }
        if (signature is not null)
        {
            fields.Add(Rlp.EncodeUInt(signature.R));
            fields.Add(Rlp.EncodeUInt(signature.S));
        }

        var list = Rlp.EncodeList([.. fields]);
        return Type == EvmTransactionType.Legacy ? list : [(byte)Type, .. list];
    }

    private ulong RequireChainId() =>
        ChainId ?? throw new InvalidOperationException($"a {Type} transaction always has a chain id");

    private byte[] EncodeAccessList()
    {
        var entries = AccessList.Select(e => Rlp.EncodeList(
            Rlp.EncodeBytes(e.Address.Span),
            Rlp.EncodeList([.. e.StorageKeys.Select(k => Rlp.EncodeBytes(k.Span))])));
        return Rlp.EncodeList([.. entries]);
    }

    /// <summary>Decodes an unsigned transaction: typed (0x01 / 0x02 ‖ RLP) or a legacy RLP list of 6 or 9 (EIP-155) items.</summary>
    public static EvmTransaction DecodeUnsigned(ReadOnlySpan<byte> encoded) => Decode(encoded, signed: false).Transaction;

    /// <summary>Decodes a signed transaction of the same three envelopes.</summary>
    public static (EvmTransaction Transaction, EvmTxSignature Signature) DecodeSigned(ReadOnlySpan<byte> encoded)
    {
        var (tx, signature) = Decode(encoded, signed: true);
        return (tx, signature!);
    }

    private static (EvmTransaction Transaction, EvmTxSignature? Signature) Decode(ReadOnlySpan<byte> encoded, bool signed)
    {
        if (encoded.IsEmpty) throw new InvalidInputException("tx", "empty transaction");
        if (encoded.Length > MaxEncodedSize) throw new InvalidInputException("tx", $"longer than {MaxEncodedSize} bytes");
        var type = encoded[0] switch
        {
            >= 0xc0 => EvmTransactionType.Legacy,
            0x01 => EvmTransactionType.AccessList,
            0x02 => EvmTransactionType.DynamicFee,
            <= 0x7f => throw new InvalidInputException("tx.type", $"transaction type 0x{encoded[0]:x2} is not supported (only legacy, 0x01 and 0x02)"),
            _ => throw new InvalidInputException("tx", "neither a typed transaction nor an RLP list"),
        };
        var outer = new RlpReader(type == EvmTransactionType.Legacy ? encoded : encoded[1..]);
        var fields = outer.ReadList("tx");
        outer.EnsureEnd("tx");

        ulong? chainId = type == EvmTransactionType.Legacy ? null : ReadChainId(ref fields);
        var nonce = fields.ReadUInt64("tx.nonce");
        BigInteger gasPrice = 0, maxPriority = 0, maxFee = 0;
        if (type == EvmTransactionType.DynamicFee)
        {
            maxPriority = fields.ReadUInt("tx.maxPriorityFeePerGas");
            maxFee = fields.ReadUInt("tx.maxFeePerGas");
            if (maxPriority > maxFee) throw new InvalidInputException("tx.maxPriorityFeePerGas", "above maxFeePerGas");
        }
        else
        {
            gasPrice = fields.ReadUInt("tx.gasPrice");
        }
        var gasLimit = fields.ReadUInt64("tx.gasLimit");
        var toBytes = fields.ReadBytes("tx.to");
        if (toBytes.Length is not (0 or 20)) throw new InvalidInputException("tx.to", $"an address is 20 bytes, found {toBytes.Length}");
        ReadOnlyMemory<byte>? to = toBytes.IsEmpty ? null : (ReadOnlyMemory<byte>?)toBytes.ToArray();
        var value = fields.ReadUInt("tx.value");
        var data = fields.ReadBytes("tx.data").ToArray();
        var accessList = type == EvmTransactionType.Legacy ? [] : ReadAccessList(ref fields);

        EvmTxSignature? signature = null;
        if (type == EvmTransactionType.Legacy)
        {
            if (signed)
            {
                (chainId, var parity) = ReadLegacyV(ref fields);
                signature = ReadSignature(ref fields, parity);
            }
            else if (!fields.IsEmpty)
            {
                chainId = ReadChainId(ref fields);
                if (fields.ReadUInt64("tx.r") != 0 || fields.ReadUInt64("tx.s") != 0)
                    throw new InvalidInputException("tx", "an unsigned EIP-155 transaction ends with (chainId, 0, 0)");
            }
        }
        else if (signed)
        {
            var parity = fields.ReadUInt64("tx.yParity");
            if (parity > 1) throw new InvalidInputException("tx.yParity", "must be 0 or 1");
            signature = ReadSignature(ref fields, (int)parity);
        }
        fields.EnsureEnd("tx");

        var tx = new EvmTransaction
        {
            Type = type,
            ChainId = chainId,
            Nonce = nonce,
            GasPrice = gasPrice,
            MaxPriorityFeePerGas = maxPriority,
            MaxFeePerGas = maxFee,
            GasLimit = gasLimit,
            To = to,
            Value = value,
            Data = data,
            AccessList = accessList,
        };
        return (tx, signature);
    }

    private static ulong ReadChainId(ref RlpReader fields)
    {
        var id = fields.ReadUInt64("tx.chainId");
        if (id == 0) throw new InvalidInputException("tx.chainId", "chain id 0 is not a chain");
        return id;
    }

    private static (ulong? ChainId, int Parity) ReadLegacyV(ref RlpReader fields)
    {
        var v = fields.ReadUInt("tx.v", 9); // chainId·2 + 36 fits in 9 bytes for a 64-bit chain id
        if (v == 27 || v == 28) return (null, (int)(v - 27));
        if (v < 37) throw new InvalidInputException("tx.v", "must be 27, 28 or chainId·2 + 35/36 (EIP-155)");
        var chainId = (v - 35) / 2;
        if (chainId > ulong.MaxValue) throw new InvalidInputException("tx.v", "chain id above 2^64");
        return ((ulong)chainId, (int)((v - 35) % 2));
    }

    private static EvmTxSignature ReadSignature(ref RlpReader fields, int parity)
    {
        var r = fields.ReadUInt("tx.r");
        var s = fields.ReadUInt("tx.s");
        if (r.IsZero || s.IsZero) throw new InvalidInputException("tx.signature", "r and s must be non-zero");
        return new EvmTxSignature(parity, r, s);
    }

    private static List<EvmAccessListEntry> ReadAccessList(ref RlpReader fields)
    {
        var list = fields.ReadList("tx.accessList");
        var entries = new List<EvmAccessListEntry>();
        while (!list.IsEmpty)
        {
            var field = $"tx.accessList[{entries.Count}]";
            var entry = list.ReadList(field);
            var address = entry.ReadFixedBytes(field + ".address", 20).ToArray();
            var keysReader = entry.ReadList(field + ".storageKeys");
            var keys = new List<ReadOnlyMemory<byte>>();
            while (!keysReader.IsEmpty) keys.Add(keysReader.ReadFixedBytes($"{field}.storageKeys[{keys.Count}]", 32).ToArray());
            entry.EnsureEnd(field);
            entries.Add(new EvmAccessListEntry(address, keys));
        }
        return entries;
    }
}
