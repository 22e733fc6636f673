using System.Text.Json;

namespace Custody.Core.Tests;

/// <summary>Reads the spec vector files copied beside the tests (tests never read ../shared).</summary>
internal static class VectorFile
{
    public static string Path(string name) => System.IO.Path.Combine(AppContext.BaseDirectory, "Vectors", name);

    public static JsonElement Json(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path(name)));
        return doc.RootElement.Clone();
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
