using System.Text.Json;

namespace Custody.Core.Tests.Hd;

/// <summary>Short accessors for the JSON vector files the HD tests read through <see cref="VectorFile"/>.</summary>
internal static class HdVectors
{
    public static string Str(this JsonElement e, string property) => e.GetProperty(property).GetString()!;

    public static IEnumerable<JsonElement> Items(this JsonElement e, string property) => e.GetProperty(property).EnumerateArray();
}
