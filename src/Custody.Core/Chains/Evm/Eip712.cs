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
/// <para>
/// Stricter than some wallets, on purpose: every member of a struct must be present, no
/// member may be extra or repeated, integers must fit their type, bytesN must have exactly N
/// bytes and mixed-case addresses must pass EIP-55. What is signed is then exactly what was shown.
/// </para>
/// <para>
/// Anyone who may sign sends this text, so its cost is bounded and linear in its length: each
/// member type is read once into its base type and array dimensions, each JSON value is encoded
/// once, and error paths are written out only for the error. Shapes are bounded by
/// <see cref="MaxDepth"/>, <see cref="MaxTypes"/>, <see cref="MaxMembers"/> and
/// <see cref="MaxArrayDimensions"/>; the one cost the length does not bound — encodeType lists
/// every referenced type again for each type hashed — counts towards <see cref="MaxWork"/>.
/// </para>
/// </remarks>
public sealed class Eip712
{
    /// <summary>Largest typed-data JSON accepted.</summary>
    public const int MaxJsonBytes = 1024 * 1024;

    /// <summary>Deepest JSON nesting, which bounds how deep struct and array values nest.</summary>
    public const int MaxDepth = 64;

    /// <summary>Most struct types defined in "types" (real messages define a handful).</summary>
    public const int MaxTypes = 64;

    /// <summary>Most members of one struct type.</summary>
    public const int MaxMembers = 64;

    /// <summary>Most array dimensions of one member type: Seaport bulk orders, the deepest in use, go to 24 (OrderComponents[2][2]…[2]).</summary>
    public const int MaxArrayDimensions = 24;

    /// <summary>
    /// Work units one message may cost: one per byte of JSON, one per JSON value encoded and one per
    /// character of encodeType text. Any text within <see cref="MaxJsonBytes"/> needs less than half of
    /// this, unless its types refer to one another so that encodeType repeats them.
    /// </summary>
    public const long MaxWork = 4L * MaxJsonBytes;

    private const string DomainType = "EIP712Domain";
    private const int MaxNameLength = 256;

    private static readonly (string Name, string Type)[] StandardDomainFields =
    [
        ("name", "string"), ("version", "string"), ("chainId", "uint256"), ("verifyingContract", "address"), ("salt", "bytes32"),
    ];

    private readonly Field _root;
    private readonly Dictionary<string, StructType> _types;
    private readonly JsonElement _domain;
    private readonly JsonElement _message;

    private Eip712(Field root, Dictionary<string, StructType> types, string primaryType, JsonElement domain, JsonElement message)
    {
        _root = root;
        _types = types;
        PrimaryType = primaryType;
        _domain = domain;
        _message = message;
    }

    public string PrimaryType { get; }

    /// <summary>Work spent so far (see <see cref="MaxWork"/>): what the cost tests count.</summary>
    internal long Work { get; private set; }

    /// <summary>The domain's chainId, when its type has one: the chain a signature is bound to.</summary>
    public BigInteger? DomainChainId
    {
        get
        {
            if (!_types[DomainType].Index.ContainsKey("chainId")) return null;
            var at = _root.Member("domain").Member("chainId");
            var chainId = Select(_domain, _root.Member("domain"), "chainId")[0] ?? throw at.Error("missing");
            return ParseInteger(chainId, 256, signed: false, at);
        }
    }

    /// <summary>Parses typed data; errors name the part that is wrong under <paramref name="field"/> (e.g. "typedData.message.to").</summary>
    public static Eip712 Parse(string json, string field = "typedData")
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(field);
        var root = Field.Root(field);
        if (json.Length > MaxJsonBytes) throw root.Error($"longer than {MaxJsonBytes} bytes");
        var utf8 = UnicodeText.ToUtf8(json, root.Error);
        if (utf8.Length > MaxJsonBytes) throw root.Error($"longer than {MaxJsonBytes} bytes");
        JsonElement document;
        try
        {
            using var parsed = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = MaxDepth });
            document = parsed.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InvalidInputException(field, "not valid JSON: " + e.Message, e);
        }
        if (document.ValueKind != JsonValueKind.Object) throw root.Error("must be a JSON object");

        var parts = Select(document, root, "types", "primaryType", "domain", "message");
        var (types, primaryType, domain, message) = (parts[0], parts[1], parts[2], parts[3]);
        var domainValue = Required(domain, JsonValueKind.Object, root.Member("domain"));
        var definitions = ReadTypes(Required(types, JsonValueKind.Object, root.Member("types")), domainValue, root);
        var primary = Text(Required(primaryType, JsonValueKind.String, root.Member("primaryType")), root.Member("primaryType"));
        if (!definitions.ContainsKey(primary)) throw root.Member("primaryType").Error($"type '{Clip(primary)}' is not defined");
        var messageValue = primary == DomainType ? default : Required(message, JsonValueKind.Object, root.Member("message"));
        var typedData = new Eip712(root, definitions, primary, domainValue, messageValue);
        typedData.Charge(utf8.Length, root);
        return typedData;
    }

    /// <summary>encodeType: "Name(type member,…)" followed by every referenced struct type, sorted by name.</summary>
    public string EncodeType(string typeName) => EncodeType(Struct(typeName), _root.Member("types"));

    public byte[] TypeHash(string typeName) => (byte[])TypeHash(Struct(typeName), _root.Member("types")).Clone();

    /// <summary>encodeData: typeHash ‖ one 32-byte word per member.</summary>
    public byte[] EncodeData(string typeName, JsonElement value, string field) => EncodeData(Struct(typeName), value, Field.Root(field));

    public byte[] HashStruct(string typeName, JsonElement value, string field) => Hashes.Keccak256(EncodeData(typeName, value, field));

    public byte[] DomainSeparator() => Hashes.Keccak256(EncodeData(_types[DomainType], _domain, _root.Member("domain")));

    /// <summary>hashStruct(primaryType, message).</summary>
    public byte[] MessageHash() => Hashes.Keccak256(EncodeData(_types[PrimaryType], _message, _root.Member("message")));

    /// <summary>keccak256(0x19 ‖ 0x01 ‖ domainSeparator ‖ hashStruct(message)); without the message hash when the primary type is the domain.</summary>
    public byte[] Digest()
    {
        byte[] preimage = PrimaryType == DomainType
            ? [0x19, 0x01, .. DomainSeparator()]
            : [0x19, 0x01, .. DomainSeparator(), .. MessageHash()];
        return Hashes.Keccak256(preimage);
    }

    private static Dictionary<string, StructType> ReadTypes(JsonElement typesElement, JsonElement domain, Field root)
    {
        var types = new Dictionary<string, StructType>(StringComparer.Ordinal);
        var typesField = root.Member("types");
        foreach (var (typeName, membersElement) in Properties(typesElement, typesField))
        {
            if (types.Count == MaxTypes) throw typesField.Error($"more than {MaxTypes} types");
            if (!IsIdentifier(typeName)) throw typesField.Error($"'{Clip(typeName)}' is not a type name");
            if (AtomicOrDynamic(typeName) is not null) throw typesField.Error($"'{typeName}' is a Solidity type, not a struct name");
            var typeField = typesField.Member(typeName);
            if (membersElement.ValueKind != JsonValueKind.Array) throw typeField.Error("must be an array of members");
            if (membersElement.GetArrayLength() > MaxMembers) throw typeField.Error($"more than {MaxMembers} members");
            var members = new List<Member>();
            foreach (var memberElement in membersElement.EnumerateArray())
                members.Add(ReadMember(memberElement, typeField, members));
            if (!types.TryAdd(typeName, new StructType(typeName, [.. members]))) throw typesField.Error($"type {typeName} repeats");
        }
        if (!types.TryGetValue(DomainType, out var domainType))
        {
            // As ethers does: without an explicit EIP712Domain, the domain's own fields in the standard order.
            var present = Properties(domain, root.Member("domain")).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            domainType = new StructType(DomainType,
                [.. StandardDomainFields.Where(f => present.Contains(f.Name)).Select(f => MemberOf(f.Name, f.Type, typesField))]);
            types.Add(DomainType, domainType);
        }
        foreach (var type in types.Values)
            foreach (var member in type.Members)
                if (member.Kind == Kind.Struct && !types.ContainsKey(member.Base))
                    throw NotAType(member.Type, typesField.Member(type.Name).Member(member.Name));
        // The chain a signature is for is a uint256 (EIP-712 "uint256 chainId"); any other type would not bind it.
        if (domainType.Index.TryGetValue("chainId", out var chainId) && domainType.Members[chainId].Type != "uint256")
            throw typesField.Member(DomainType).Member("chainId").Error("must be a uint256");
        return types;
    }

    private static Member ReadMember(JsonElement element, Field typeField, List<Member> before)
    {
        var field = typeField.Item(before.Count);
        if (element.ValueKind != JsonValueKind.Object) throw field.Error("must be {name, type}");
        var parts = Select(element, field, "name", "type");
        var (name, type) = (parts[0], parts[1]);
        var memberName = Text(Required(name, JsonValueKind.String, field.Member("name")), field.Member("name"));
        var memberType = Text(Required(type, JsonValueKind.String, field.Member("type")), field.Member("type"));
        if (!IsIdentifier(memberName) || before.Any(m => m.Name == memberName))
            throw field.Error($"member name '{Clip(memberName)}' is not an identifier or repeats");
        return MemberOf(memberName, memberType, typeField.Member(memberName));
    }

    /// <summary>
    /// Reads a member type once: "T[2][]" is the base type T and the dimensions [2, dynamic], the last
    /// one outermost (a dynamic array of T[2]). Scanning the text once, left to right, is what keeps
    /// uint256[][]…[] linear; cutting one dimension off per level made it quadratic.
    /// </summary>
    private static Member MemberOf(string name, string type, Field field)
    {
        var open = type.IndexOf('[', StringComparison.Ordinal);
        var baseType = open < 0 ? type : type[..open];
        var dimensions = new List<int?>();
        for (var at = open; at >= 0 && at < type.Length;)
        {
            if (dimensions.Count == MaxArrayDimensions)
                throw field.Error($"type '{Clip(type)}' has more than {MaxArrayDimensions} array dimensions");
            var close = type[at] == '[' ? type.IndexOf(']', at) : -1;
            if (close < 0) throw NotAType(type, field);
            var digits = type.AsSpan(at + 1, close - at - 1);
            if (digits.Length == 0) dimensions.Add(null);
            else if (digits.Length <= 6 && digits[0] != '0' && !digits.ContainsAnyExceptInRange('0', '9'))
                dimensions.Add(int.Parse(digits, CultureInfo.InvariantCulture));
            else throw NotAType(type, field);
            at = close + 1;
        }
        var (kind, size) = AtomicOrDynamic(baseType) ?? (Kind.Struct, 0);
        return new Member(name, type, baseType, kind, size, [.. dimensions]);
    }

    private string EncodeType(StructType type, Field field)
    {
        var dependencies = new SortedSet<string>(StringComparer.Ordinal);
        CollectDependencies(type, dependencies);
        dependencies.Remove(type.Name);
        var parts = dependencies.Select(name => _types[name].Definition).Prepend(type.Definition).ToList();
        Charge(parts.Sum(p => p.Length), field.Member(type.Name));
        return string.Concat(parts);
    }

    private byte[] TypeHash(StructType type, Field field) =>
        type.Hash ??= Hashes.Keccak256(Encoding.UTF8.GetBytes(EncodeType(type, field)));

    private void CollectDependencies(StructType type, SortedSet<string> found)
    {
        if (!found.Add(type.Name)) return;
        foreach (var member in type.Members)
            if (member.Kind == Kind.Struct) CollectDependencies(_types[member.Base], found);
    }

    private byte[] EncodeData(StructType type, JsonElement value, Field field)
    {
        if (value.ValueKind != JsonValueKind.Object) throw field.Error($"a {type.Name} must be a JSON object");
        var encoded = new byte[32 * (type.Members.Length + 1)];
        TypeHash(type, _root.Member("types")).CopyTo(encoded, 0);
        Span<bool> seen = stackalloc bool[type.Members.Length];
        foreach (var (name, memberValue) in Properties(value, field))
        {
            if (!type.Index.TryGetValue(name, out var i)) throw field.Member(Clip(name)).Error($"not a member of {type.Name}");
            if (seen[i]) throw field.Member(name).Error("appears twice");
            seen[i] = true;
            EncodeValue(type.Members[i], type.Members[i].Dimensions.Length, memberValue, field.Member(name), encoded.AsSpan(32 * (i + 1), 32));
        }
        var missing = seen.IndexOf(false);
        if (missing >= 0) throw field.Member(type.Members[missing].Name).Error("missing");
        return encoded;
    }

    /// <summary>Writes the 32-byte encoding of <paramref name="value"/> as <paramref name="member"/>'s type with its outer <paramref name="dimensions"/>.</summary>
    private void EncodeValue(Member member, int dimensions, JsonElement value, Field field, Span<byte> word)
    {
        Charge(1, field);
        if (dimensions > 0)
        {
            if (value.ValueKind != JsonValueKind.Array) throw field.Error($"a {Clip(member.Type)} must be a JSON array");
            var count = value.GetArrayLength();
            if (member.Dimensions[dimensions - 1] is { } n && count != n) throw field.Error($"expected {n} elements, found {count}");
            var concatenated = new byte[32 * count];
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                EncodeValue(member, dimensions - 1, item, field.Item(i), concatenated.AsSpan(32 * i, 32));
                i++;
            }
            Hashes.Keccak256(concatenated).CopyTo(word);
            return;
        }
        switch (member.Kind)
        {
            case Kind.Struct:
                Hashes.Keccak256(EncodeData(_types[member.Base], value, field)).CopyTo(word);
                return;
            case Kind.String:
                if (value.ValueKind != JsonValueKind.String) throw field.Error("a string must be a JSON string");
                Hashes.Keccak256(Encoding.UTF8.GetBytes(Text(value, field))).CopyTo(word);
                return;
            case Kind.Bytes:
                Hashes.Keccak256(HexValue(value, field)).CopyTo(word);
                return;
            case Kind.Bool:
                if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw field.Error("a bool must be true or false");
                word.Clear();
                word[31] = value.GetBoolean() ? (byte)1 : (byte)0;
                return;
            case Kind.Address:
                if (value.ValueKind != JsonValueKind.String) throw field.Error("an address must be a JSON string");
                word.Clear();
                At(field, () => EvmAddress.Parse(Text(value, field))).CopyTo(word[12..]);
                return;
            case Kind.FixedBytes:
                var bytes = HexValue(value, field);
                if (bytes.Length != member.Size) throw field.Error($"a {member.Base} must be exactly {member.Size} bytes, found {bytes.Length}");
                word.Clear();
                bytes.CopyTo(word);
                return;
            default:
                WriteWord(ParseInteger(value, member.Size, member.Kind == Kind.Int, field), word);
                return;
        }
    }

    private static BigInteger ParseInteger(JsonElement value, int bits, bool signed, Field field)
    {
        // Small JSON integers, the common case, without the text ("1e3", "1.0" and "-0" take the long way and are refused there).
        if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var small))
            return InRange(small, bits, signed, field);
        var text = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => Text(value, field).Trim(),
            _ => throw field.Error("an integer must be a JSON number or a decimal / 0x-hex string"),
        };
        BigInteger number;
        if (text.Length > 80) throw field.Error("integer text too long");
        var negative = text.StartsWith('-');
        var digits = negative ? text[1..] : text;
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && digits.Length > 2 && digits[2..].All(char.IsAsciiHexDigit))
            number = BigInteger.Parse("0" + digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        else if (digits.Length > 0 && digits.All(char.IsAsciiDigit))
            number = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        else
            throw field.Error("not an integer (decimal or 0x-hex)");
        return InRange(negative ? -number : number, bits, signed, field);
    }

    private static BigInteger InRange(BigInteger number, int bits, bool signed, Field field)
    {
        // GetBitLength counts the bits of the two's complement without the sign bit.
        var fits = signed ? number.GetBitLength() <= bits - 1 : number.Sign >= 0 && number.GetBitLength() <= bits;
        if (!fits) throw field.Error($"out of range for {(signed ? "int" : "uint")}{bits}");
        return number;
    }

    /// <summary>A 32-byte big-endian two's-complement word.</summary>
    private static void WriteWord(BigInteger value, Span<byte> word)
    {
        Span<byte> bytes = stackalloc byte[33]; // a 256-bit unsigned value has a leading sign byte
        value.TryWriteBytes(bytes, out var length, isUnsigned: false, isBigEndian: true);
        word.Fill(value.Sign < 0 ? (byte)0xff : (byte)0);
        bytes[(length - Math.Min(length, 32))..length].CopyTo(word[(32 - Math.Min(length, 32))..]);
    }

    private static byte[] HexValue(JsonElement value, Field field)
    {
        if (value.ValueKind != JsonValueKind.String) throw field.Error("bytes must be a 0x-hex JSON string");
        var text = Text(value, field);
        if (!text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) throw field.Error("bytes must be 0x-hex");
        return At(field, () => HexText.Parse(text, "", MaxJsonBytes));
    }

    /// <summary>Atomic and dynamic types: the kind and its size (bits of an integer, bytes of a bytesN); null for anything else.</summary>
    private static (Kind Kind, int Size)? AtomicOrDynamic(string type)
    {
        switch (type)
        {
            case "address": return (Kind.Address, 20);
            case "bool": return (Kind.Bool, 1);
            case "string": return (Kind.String, 0);
            case "bytes": return (Kind.Bytes, 0);
        }
        var (kind, digits) = type.StartsWith("uint", StringComparison.Ordinal) ? (Kind.Uint, type[4..])
            : type.StartsWith("int", StringComparison.Ordinal) ? (Kind.Int, type[3..])
            : type.StartsWith("bytes", StringComparison.Ordinal) ? (Kind.FixedBytes, type[5..])
            : (Kind.Struct, "");
        if (digits.Length is 0 or > 3 || digits[0] == '0' || !digits.All(char.IsAsciiDigit)) return null;
        var size = int.Parse(digits, CultureInfo.InvariantCulture);
        var valid = kind == Kind.FixedBytes ? size <= 32 : size <= 256 && size % 8 == 0;
        return valid ? (kind, size) : null;
    }

    private StructType Struct(string typeName) =>
        _types.TryGetValue(typeName, out var type) ? type : throw _root.Member("types").Error($"type '{Clip(typeName)}' is not defined");

    private void Charge(long units, Field field)
    {
        Work += units;
        if (Work > MaxWork) throw field.Error($"too costly to hash: more than {MaxWork} work units (types that refer to many others make encodeType long)");
    }

    private static InvalidInputException NotAType(string type, Field field) =>
        field.Error($"type '{Clip(type)}' is neither a Solidity type nor a defined struct");

    private static JsonElement Required(JsonElement? value, JsonValueKind kind, Field field)
    {
        if (value is not { } present) throw field.Error("missing");
        if (present.ValueKind != kind) throw field.Error($"must be a JSON {kind.ToString().ToLowerInvariant()}");
        return present;
    }

    /// <summary>The properties <paramref name="names"/> of a fixed-shape object (the root, a member's {name, type}); others are ignored, a repeated one is refused.</summary>
    private static JsonElement?[] Select(JsonElement obj, Field field, params string[] names)
    {
        var values = new JsonElement?[names.Length];
        foreach (var (name, value) in Properties(obj, field))
        {
            var i = Array.IndexOf(names, name);
            if (i < 0) continue;
            if (values[i] is not null) throw field.Member(name).Error("appears twice");
            values[i] = value;
        }
        return values;
    }

    /// <summary>An object's properties, names read once.</summary>
    private static IEnumerable<(string Name, JsonElement Value)> Properties(JsonElement obj, Field field)
    {
        foreach (var property in obj.EnumerateObject())
            yield return (UnicodeText.Name(property, field.Error), property.Value);
    }

    private static string Text(JsonElement value, Field field) => UnicodeText.Read(value, field.Error);

    /// <summary>Runs a parser that does not know where its input sits; its format error is re-thrown at <paramref name="field"/>.</summary>
    private static T At<T>(Field field, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (InvalidInputException e)
        {
            throw field.Error(e.Reason);
        }
    }

    private static bool IsIdentifier(string name) =>
        name.Length is > 0 and <= MaxNameLength && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$');

    private static string Clip(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private enum Kind { Struct, Address, Bool, String, Bytes, FixedBytes, Uint, Int }

    /// <summary>A member and its type read once: base type, its kind and size, and array dimensions in written order (null: dynamic).</summary>
    private sealed record Member(string Name, string Type, string Base, Kind Kind, int Size, int?[] Dimensions);

    private sealed class StructType(string name, Member[] members)
    {
        public string Name { get; } = name;

        public Member[] Members { get; } = members;

        /// <summary>Member name → position.</summary>
        public Dictionary<string, int> Index { get; } = members.Select((m, i) => (m.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);

        /// <summary>"Name(type member,…)": this type's part of every encodeType that references it.</summary>
        public string Definition { get; } = $"{name}({string.Join(',', members.Select(m => $"{m.Type} {m.Name}"))})";

        public byte[]? Hash { get; set; }
    }

    /// <summary>Where a value sits, e.g. typedData.message.to.wallet; written out only for an error, so that deep paths cost nothing per value.</summary>
    private sealed class Field
    {
        private readonly Field? _parent;
        private readonly string? _member;
        private readonly int _index;

        private Field(Field? parent, string? member, int index)
        {
            _parent = parent;
            _member = member;
            _index = index;
        }

        public static Field Root(string name) => new(null, name, 0);

        public Field Member(string name) => new(this, name, 0);

        public Field Item(int index) => new(this, null, index);

        public InvalidInputException Error(string reason) => new(ToString(), reason);

        public override string ToString() =>
            _parent is null ? _member! : _member is null ? $"{_parent}[{_index.ToString(CultureInfo.InvariantCulture)}]" : $"{_parent}.{_member}";
    }
}
