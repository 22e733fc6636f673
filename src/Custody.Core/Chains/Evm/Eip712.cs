using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Custody.Core.Crypto;
using Custody.Core.Wire;

namespace Custody.Core.Chains.Evm;

/// <summary>
/// EIP-712 typed structured data, parsed from the eth_signTypedData_v4 JSON
/// ({types, primaryType, domain, message}) and hashed as the EIP specifies: encodeType
/// with its referenced types sorted by name, encodeData for atomic, dynamic, array and
/// struct members, the domain separator and the 0x19 0x01 digest.
/// </summary>
/// <remarks>
/// Stricter than some wallets, on purpose: every member of a struct must be present, no
/// member may be extra, integers must fit their type, bytesN must have exactly N bytes and
/// mixed-case addresses must pass EIP-55. What is signed is then exactly what was shown.
/// </remarks>
public sealed class Eip712
{
    /// <summary>Largest typed-data JSON accepted.</summary>
    public const int MaxJsonBytes = 1024 * 1024;

    private const string DomainType = "EIP712Domain";

    private static readonly (string Name, string Type)[] StandardDomainFields =
    [
        ("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address"), ("salt", "bytes32"),
    ];

    private readonly Dictionary<string, (string Name, string Type)[]> _types;
    private readonly Dictionary<string, byte[]> _typeHashes = new(StringComparer.Ordinal);
    private readonly JsonElement _domain;
    private readonly JsonElement _message;

    private Eip712(Dictionary<string, (string Name, string Type)[]> types, string primaryType, JsonElement domain, JsonElement message)
    {
        _types = types;
        PrimaryType = primaryType;
        _domain = domain;
        _message = message;
    }

    public string PrimaryType { get; }

    /// <summary>The domain's chainId, when the domain has one.</summary>
    public BigInteger? DomainChainId =>
        _domain.TryGetProperty("chainId", out var id) ? ParseInteger(id, "uint256", "typedData.domain.chainId") : null;

    public static Eip712 Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (System.Text.Encoding.UTF8.GetByteCount(json) > MaxJsonBytes)
            throw new InvalidInputException("typedData", $"longer than {MaxJsonBytes} bytes");
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            root = doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidInputException("typedData", "not valid JSON: " + e.Message, e);
        }
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidInputException("typedData", "must be a JSON object");
        var typesElement = Property(root, "types", JsonValueKind.Object, "typedData");
        var primary = Property(root, "primaryType", JsonValueKind.String, "typedData").GetString()!;
        var domain = Property(root, "domain", JsonValueKind.Object, "typedData");
        var message = root.TryGetProperty("message", out var m) ? m : default;

        var types = new Dictionary<string, (string, string)[]>(StringComparer.Ordinal);
        foreach (var type in typesElement.EnumerateObject())
        {
            if (!IsIdentifier(type.Name)) throw new InvalidInputException("typedData.types", $"'{Clip(type.Name)}' is not a type name");
            if (type.Value.ValueKind != JsonValueKind.Array) throw new InvalidInputException($"typedData.types.{type.Name}", "must be an array of members");
            var members = new List<(string, string)>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in type.Value.EnumerateArray())
            {
                var field = $"typedData.types.{type.Name}[{members.Count}]";
                if (member.ValueKind != JsonValueKind.Object) throw new InvalidInputException(field, "must be {name, type}");
                var name = Property(member, "name", JsonValueKind.String, field).GetString()!;
                var memberType = Property(member, "type", JsonValueKind.String, field).GetString()!;
                if (!IsIdentifier(name) || !names.Add(name)) throw new InvalidInputException(field, $"member name '{Clip(name)}' is not an identifier or repeats");
                members.Add((name, memberType));
            }
            if (!types.TryAdd(type.Name, [.. members])) throw new InvalidInputException("typedData.types", $"type {type.Name} repeats");
        }
        if (!types.ContainsKey(DomainType))
        {
            // As ethers does: without an explicit EIP712Domain, the domain's own fields in the standard order.
            types[DomainType] = [.. StandardDomainFields.Where(f => domain.TryGetProperty(f.Name, out _))];
        }
        var typedData = new Eip712(types, primary, domain, message);
        foreach (var (name, members) in types)
            foreach (var (memberName, memberType) in members)
                typedData.CheckType(memberType, $"typedData.types.{name}.{memberName}");
        if (!types.ContainsKey(primary)) throw new InvalidInputException("typedData.primaryType", $"type '{Clip(primary)}' is not defined");
        if (primary != DomainType && message.ValueKind != JsonValueKind.Object)
            throw new InvalidInputException("typedData.message", "must be a JSON object");
        return typedData;
    }

    /// <summary>encodeType: "Name(type member,…)" followed by every referenced struct type, sorted by name.</summary>
    public string EncodeType(string typeName)
    {
        var dependencies = new SortedSet<string>(StringComparer.Ordinal);
        CollectDependencies(typeName, dependencies);
        dependencies.Remove(typeName);
        var text = new StringBuilder();
        foreach (var name in (IEnumerable<string>)[typeName, .. dependencies])
            text.Append(name).Append('(').AppendJoin(',', Members(name).Select(m => $"{m.Type} {m.Name}")).Append(')');
        return text.ToString();
    }

    public byte[] TypeHash(string typeName)
    {
        if (!_typeHashes.TryGetValue(typeName, out var hash))
            _typeHashes[typeName] = hash = Hashes.Keccak256(System.Text.Encoding.UTF8.GetBytes(EncodeType(typeName)));
        return (byte[])hash.Clone();
    }

    /// <summary>encodeData: typeHash ‖ one 32-byte word per member.</summary>
    public byte[] EncodeData(string typeName, JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.Object) throw new InvalidInputException(field, $"a {typeName} must be a JSON object");
        var members = Members(typeName);
        var known = members.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
            if (!known.Contains(property.Name))
                throw new InvalidInputException($"{field}.{Clip(property.Name)}", $"not a member of {typeName}");
        var encoded = new byte[32 * (members.Length + 1)];
        TypeHash(typeName).CopyTo(encoded, 0);
        for (var i = 0; i < members.Length; i++)
        {
            var (name, type) = members[i];
            if (!value.TryGetProperty(name, out var member)) throw new InvalidInputException($"{field}.{name}", "missing");
            EncodeValue(type, member, $"{field}.{name}").CopyTo(encoded, 32 * (i + 1));
        }
        return encoded;
    }

    public byte[] HashStruct(string typeName, JsonElement value, string field) => Hashes.Keccak256(EncodeData(typeName, value, field));

    public byte[] DomainSeparator() => HashStruct(DomainType, _domain, "typedData.domain");

    /// <summary>hashStruct(primaryType, message).</summary>
    public byte[] MessageHash() => HashStruct(PrimaryType, _message, "typedData.message");

    /// <summary>keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message)); without the message hash when the primary type is the domain.</summary>
    public byte[] Digest()
    {
        byte[] preimage = PrimaryType == DomainType
            ? [0x19, 0x01, .. DomainSeparator()]
            : [0x19, 0x01, .. DomainSeparator(), .. MessageHash()];
        return Hashes.Keccak256(preimage);
    }

    private (string Name, string Type)[] Members(string typeName) =>
        _types.TryGetValue(typeName, out var members) ? members : throw new InvalidInputException("typedData.types", $"type '{Clip(typeName)}' is not defined");

    private void CollectDependencies(string typeName, SortedSet<string> found)
    {
        if (!found.Add(typeName)) return;
        foreach (var (_, type) in Members(typeName))
        {
            var baseType = BaseType(type);
            if (_types.ContainsKey(baseType)) CollectDependencies(baseType, found);
        }
    }

    private static string BaseType(string type)
    {
        var bracket = type.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? type : type[..bracket];
    }

    private void CheckType(string type, string field)
    {
        if (TryArray(type, out var element, out _)) CheckType(element, field);
        else if (!_types.ContainsKey(type) && !IsAtomicOrDynamic(type))
            throw new InvalidInputException(field, $"type '{Clip(type)}' is neither a Solidity type nor a defined struct");
    }

    private static bool TryArray(string type, out string element, out int? length)
    {
        element = "";
        length = null;
        if (!type.EndsWith(']')) return false;
        var open = type.LastIndexOf('[');
        if (open <= 0) return false;
        var digits = type[(open + 1)..^1];
        if (digits.Length > 0)
        {
            if (digits.Length > 6 || !digits.All(char.IsAsciiDigit) || digits[0] == '0') return false;
            length = int.Parse(digits, CultureInfo.InvariantCulture);
        }
        element = type[..open];
        return true;
    }

    private static bool IsAtomicOrDynamic(string type) =>
        type is "address" or "bool" or "string" or "bytes" || IntegerBits(type) is not null || FixedBytesLength(type) is not null;

    private static int? IntegerBits(string type)
    {
        var digits = type.StartsWith("uint", StringComparison.Ordinal) ? type[4..] : type.StartsWith("int", StringComparison.Ordinal) ? type[3..] : null;
        if (digits is null || digits.Length is 0 or > 3 || !digits.All(char.IsAsciiDigit) || digits[0] == '0') return null;
        var bits = int.Parse(digits, CultureInfo.InvariantCulture);
        return bits is >= 8 and <= 256 && bits % 8 == 0 ? bits : null;
    }

    private static int? FixedBytesLength(string type)
    {
        if (!type.StartsWith("bytes", StringComparison.Ordinal) || type.Length is < 6 or > 7) return null;
        var digits = type[5..];
        if (!digits.All(char.IsAsciiDigit) || digits[0] == '0') return null;
        var length = int.Parse(digits, CultureInfo.InvariantCulture);
        return length is >= 1 and <= 32 ? length : null;
    }

    private byte[] EncodeValue(string type, JsonElement value, string field)
    {
        if (TryArray(type, out var element, out var length))
        {
            if (value.ValueKind != JsonValueKind.Array) throw new InvalidInputException(field, $"a {Clip(type)} must be a JSON array");
            var count = value.GetArrayLength();
            if (length is { } n && count != n) throw new InvalidInputException(field, $"expected {n} elements, found {count}");
            var concatenated = new byte[32 * count];
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                EncodeValue(element, item, $"{field}[{i}]").CopyTo(concatenated, 32 * i);
                i++;
            }
            return Hashes.Keccak256(concatenated);
        }
        if (_types.ContainsKey(type)) return HashStruct(type, value, field);
        switch (type)
        {
            case "string":
                if (value.ValueKind != JsonValueKind.String) throw new InvalidInputException(field, "a string must be a JSON string");
                return Hashes.Keccak256(System.Text.Encoding.UTF8.GetBytes(value.GetString()!));
            case "bytes":
                return Hashes.Keccak256(HexValue(value, field));
            case "bool":
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw new InvalidInputException(field, "a bool must be true or false");
                return Word(value.GetBoolean() ? BigInteger.One : BigInteger.Zero);
            case "address":
                if (value.ValueKind != JsonValueKind.String) throw new InvalidInputException(field, "an address must be a JSON string");
                byte[] address;
                try
                {
                    address = EvmAddress.Parse(value.GetString()!);
                }
                catch (InvalidInputException e)
                {
                    throw new InvalidInputException(field, e.Reason, e);
                }
                return [.. new byte[12], .. address];
        }
        if (FixedBytesLength(type) is { } fixedLength)
        {
            var bytes = HexValue(value, field);
            if (bytes.Length != fixedLength) throw new InvalidInputException(field, $"a {type} must be exactly {fixedLength} bytes, found {bytes.Length}");
            var word = new byte[32];
            bytes.CopyTo(word, 0);
            return word;
        }
        return Word(ParseInteger(value, type, field));
    }

    private static BigInteger ParseInteger(JsonElement value, string type, string field)
    {
        var bits = IntegerBits(type) ?? throw new InvalidInputException(field, $"'{Clip(type)}' is not an integer type");
        var text = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString()!.Trim(),
            _ => throw new InvalidInputException(field, "an integer must be a JSON number or a decimal / 0x-hex string"),
        };
        BigInteger number;
        if (text.Length > 80) throw new InvalidInputException(field, "integer text too long");
        var negative = text.StartsWith('-');
        var digits = negative ? text[1..] : text;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && digits.Length > 2 && digits[2..].All(char.IsAsciiHexDigit))
            number = BigInteger.Parse("0" + digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        else if (digits.Length > 0 && digits.All(char.IsAsciiDigit))
            number = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        else
            throw new InvalidInputException(field, "not an integer (decimal or 0x-hex)");
        if (negative) number = -number;
        var signed = type[0] == 'i';
        var min = signed ? -(BigInteger.One << (bits - 1)) : BigInteger.Zero;
        var max = signed ? (BigInteger.One << (bits - 1)) - 1 : (BigInteger.One << bits) - 1;
        if (number < min || number > max) throw new InvalidInputException(field, $"out of range for {type}");
        return number;
    }

    /// <summary>A 32-byte big-endian two's-complement word.</summary>
    private static byte[] Word(BigInteger value)
    {
        var word = new byte[32];
        if (value.Sign < 0) word.AsSpan().Fill(0xff);
        var bytes = value.ToByteArray(isUnsigned: false, isBigEndian: true);
        if (bytes.Length > 32) bytes = bytes[^32..]; // a leading sign byte of a 256-bit unsigned value
        bytes.CopyTo(word, 32 - bytes.Length);
        return word;
    }

    private static byte[] HexValue(JsonElement value, string field)
    {
        if (value.ValueKind != JsonValueKind.String) throw new InvalidInputException(field, "bytes must be a 0x-hex JSON string");
        var text = value.GetString()!;
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) throw new InvalidInputException(field, "bytes must be 0x-hex");
        return HexText.Parse(text, field, MaxJsonBytes);
    }

    private static JsonElement Property(JsonElement obj, string name, JsonValueKind kind, string field)
    {
        if (!obj.TryGetProperty(name, out var value)) throw new InvalidInputException($"{field}.{name}", "missing");
        if (value.ValueKind != kind) throw new InvalidInputException($"{field}.{name}", $"must be a JSON {kind.ToString().ToLowerInvariant()}");
        return value;
    }

    private static bool IsIdentifier(string name) =>
        name.Length is > 0 and <= 256 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$');

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
