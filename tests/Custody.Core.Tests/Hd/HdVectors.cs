using System.Text.Json;

namespace Custody.Core.Tests.Hd;

/// <summary>Reads the spec vectors copied under Vectors/ next to the test binaries.</summary>
internal static class HdVectors
{
    public static JsonElement Load(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Vectors", file);
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.Clone();
    }

    public static string Str(this JsonElement e, string property) => e.GetProperty(property).GetString()!;

    public static IEnumerable<JsonElement> Items(this JsonElement e, string property) => e.GetProperty(property).EnumerateArray();
}
