using System.Globalization;
using System.Numerics;
using System.Text.Json;

namespace Custody.Core.Policy.Json;

/// <summary>
/// Reads one JSON object of the policy schema: refuses unknown properties (a typo in a
/// security policy must not be ignored) and converts values with errors that name the line.
/// </summary>
internal sealed class JsonFields
{
    private const int MaxAmountDigits = 100;
    private readonly Dictionary<string, JsonTree> _values = new(StringComparer.Ordinal);

    public JsonFields(JsonTree node, params string[] allowed)
    {
        Node = node;
        if (node.Kind != JsonValueKind.Object) throw node.Error("must be an object");
        foreach (var (name, value) in node.Properties)
        {
            if (System.Array.IndexOf(allowed, name) < 0)
                throw value.Error($"unknown property (expected one of: {string.Join(", ", allowed)})");
            _values[name] = value;
        }
    }

    public JsonTree Node { get; }

    public JsonTree? Optional(string name) =>
        _values.TryGetValue(name, out var value) && value.Kind != JsonValueKind.Null ? value : null;

    public JsonTree Required(string name) =>
        Optional(name) ?? throw Node.Error($"'{name}' is required");

    public static string String(JsonTree node)
    {
        if (node.Kind != JsonValueKind.String) throw node.Error("must be a string");
        if (string.IsNullOrWhiteSpace(node.Text)) throw node.Error("must not be empty");
        return node.Text.Trim();
    }

    public static bool Bool(JsonTree? node) => node is null ? false : node.Kind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw node.Error("must be true or false"),
    };

    public static IReadOnlyList<JsonTree> Array(JsonTree node) =>
        node.Kind == JsonValueKind.Array ? node.Items : throw node.Error("must be an array");

    public static int Integer(JsonTree node, int min, int max)
    {
        var value = Amount(node);
        if (value < min || value > max) throw node.Error($"must be between {min} and {max}");
        return (int)value;
    }

    /// <summary>A non-negative integer in base units, as a string of digits (preferred) or a JSON integer; no 64-bit limit.</summary>
    public static BigInteger Amount(JsonTree node)
    {
        if (node.Kind is not (JsonValueKind.String or JsonValueKind.Number))
            throw node.Error("must be a whole number of base units (a string of digits)");
        var text = node.Text.Trim();
        if (text.Length == 0 || text.Length > MaxAmountDigits || !text.All(char.IsAsciiDigit))
            throw node.Error($"'{Clip(text)}' is not a whole number of base units (digits only, no sign, fraction or exponent)");
        return BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>A non-negative decimal with at most three fractional digits, in thousandths.</summary>
    public static BigInteger Milli(JsonTree node)
    {
        if (node.Kind is not (JsonValueKind.String or JsonValueKind.Number))
            throw node.Error("must be a decimal number");
        var text = node.Text.Trim();
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var whole = dot < 0 ? text : text[..dot];
        var fraction = dot < 0 ? "" : text[(dot + 1)..];
        if (whole.Length is 0 or > 30 || fraction.Length > 3 || (dot >= 0 && fraction.Length == 0) ||
            !whole.All(char.IsAsciiDigit) || !fraction.All(char.IsAsciiDigit))
            throw node.Error($"'{Clip(text)}' is not a decimal with at most 3 fractional digits");
        return BigInteger.Parse(whole + fraction.PadRight(3, '0'), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>"90s", "30m", "1h", "7d": a positive whole count of one unit, at most 366 days.</summary>
    public static TimeSpan Duration(JsonTree node)
    {
        var text = String(node);
        var unit = text[^1];
        if (!int.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
            throw node.Error($"'{Clip(text)}' is not a duration such as 30m, 1h or 7d");
        var span = unit switch
        {
            's' => TimeSpan.FromSeconds(count),
            'm' => TimeSpan.FromMinutes(count),
            'h' => TimeSpan.FromHours(count),
            'd' => TimeSpan.FromDays(count),
            _ => throw node.Error($"'{Clip(text)}' has no unit s, m, h or d"),
        };
        return span <= TimeSpan.FromDays(366) ? span : throw node.Error("must be at most 366d");
    }

    public static string DurationText(TimeSpan span) =>
        span.TotalDays == Math.Floor(span.TotalDays) ? $"{(long)span.TotalDays}d"
        : span.TotalHours == Math.Floor(span.TotalHours) ? $"{(long)span.TotalHours}h"
        : span.TotalMinutes == Math.Floor(span.TotalMinutes) ? $"{(long)span.TotalMinutes}m"
        : $"{(long)span.TotalSeconds}s";

    public static string MilliText(BigInteger milli)
    {
        var whole = BigInteger.DivRem(milli, 1000, out var rest);
        return rest.IsZero ? whole.ToString(CultureInfo.InvariantCulture)
            : $"{whole.ToString(CultureInfo.InvariantCulture)}.{rest.ToString("000", CultureInfo.InvariantCulture).TrimEnd('0')}";
    }

    private static string Clip(string text) => text.Length > 40 ? text[..40] + "…" : text;
}
