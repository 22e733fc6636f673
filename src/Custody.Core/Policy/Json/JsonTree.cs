using System.Text;
using System.Text.Json;
using Custody.Core.Wire;

namespace Custody.Core.Policy.Json;

/// <summary>
/// A JSON value with the line it starts on, so that a policy error can say where it is.
/// System.Text.Json's DOM forgets positions; this small tree, read with Utf8JsonReader,
/// keeps them (the reader's TokenStartIndex mapped to a line number).
/// </summary>
internal sealed class JsonTree
{
    public const int MaxBytes = 4 * 1024 * 1024;
    private const int MaxDepth = 32;

    private JsonTree(JsonValueKind kind, int line, string path)
    {
        Kind = kind;
        Line = line;
        Path = path;
    }

    public JsonValueKind Kind { get; }
    public int Line { get; }

    /// <summary>Where the value sits, e.g. "chains.eth.assets.native.maxPerTransaction".</summary>
    public string Path { get; }

    /// <summary>The decoded string, or the exact number text (never rounded through a double).</summary>
    public string Text { get; private set; } = "";

    public IReadOnlyList<(string Name, JsonTree Value)> Properties { get; private set; } = [];
    public IReadOnlyList<JsonTree> Items { get; private set; } = [];

    public InvalidInputException Error(string reason) => Error(Line, Path, reason);

    private static InvalidInputException Error(int line, string path, string reason) => new("policy", $"line {line}: {path}: {reason}");

    public static JsonTree Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxBytes) throw new InvalidInputException("policy", $"longer than {MaxBytes} bytes");
        var lines = new LineIndex(utf8);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = false,
            MaxDepth = MaxDepth,
        });
        try
        {
            if (!reader.Read()) throw new InvalidInputException("policy", "line 1: the document is empty");
            var root = ReadValue(ref reader, lines, "$");
            if (reader.Read())
                throw new InvalidInputException("policy", $"line {lines.LineOf(reader.TokenStartIndex)}: text after the end of the document");
            return root;
        }
        catch (JsonException e)
        {
            // The reader's message ends with its own 0-based position; give the reason and a 1-based line.
            var reason = e.Message;
            var cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) reason = reason[..cut].TrimEnd('.', ' ');
            throw new InvalidInputException("policy", $"line {(e.LineNumber ?? 0) + 1}: {reason}", e);
        }
    }

    private static JsonTree ReadValue(ref Utf8JsonReader reader, LineIndex lines, string path)
    {
        var line = lines.LineOf(reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var node = new JsonTree(JsonValueKind.Object, line, path);
                var properties = new List<(string, JsonTree)>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var nameLine = lines.LineOf(reader.TokenStartIndex);
                    var name = UnicodeText.Read(ref reader, reason => Error(nameLine, path, "a property name " + reason));
                    var childPath = path == "$" ? name : $"{path}.{name}";
                    if (!seen.Add(name))
                        throw new InvalidInputException("policy", $"line {nameLine}: {childPath}: appears twice");
                    reader.Read();
                    properties.Add((name, ReadValue(ref reader, lines, childPath)));
                }
                node.Properties = properties;
                return node;
            }
            case JsonTokenType.StartArray:
            {
                var node = new JsonTree(JsonValueKind.Array, line, path);
                var items = new List<JsonTree>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    items.Add(ReadValue(ref reader, lines, $"{path}[{items.Count}]"));
                node.Items = items;
                return node;
            }
            case JsonTokenType.String:
                return new JsonTree(JsonValueKind.String, line, path) { Text = UnicodeText.Read(ref reader, reason => Error(line, path, reason)) };
            case JsonTokenType.Number:
                return new JsonTree(JsonValueKind.Number, line, path) { Text = Encoding.UTF8.GetString(reader.ValueSpan) };
            case JsonTokenType.True:
                return new JsonTree(JsonValueKind.True, line, path);
            case JsonTokenType.False:
                return new JsonTree(JsonValueKind.False, line, path);
            case JsonTokenType.Null:
                return new JsonTree(JsonValueKind.Null, line, path);
            default:
                throw new InvalidInputException("policy", $"line {line}: unexpected {reader.TokenType}");
        }
    }

    /// <summary>Byte offset → 1-based line, by binary search over the offsets of the line feeds.</summary>
    private sealed class LineIndex
    {
        private readonly List<long> _newlines = [];

        public LineIndex(ReadOnlySpan<byte> text)
        {
            for (var i = 0; i < text.Length; i++)
                if (text[i] == (byte)'\n') _newlines.Add(i);
        }

        public int LineOf(long offset)
        {
            var index = _newlines.BinarySearch(offset);
            return (index >= 0 ? index : ~index) + 1;
        }
    }
}
