using System.Globalization;
using System.Text.RegularExpressions;

namespace Custody.Daemon.Tests;

internal static partial class Metrics
{
    /// <summary>
    /// The value of one sample of a Prometheus text page, or 0 when it is absent. The query is a
    /// name with the labels that must match (<c>name{a="b"}</c>); the sample may carry more labels,
    /// in any order, so a query without labels of a labelled metric sums nothing: ask for one series.
    /// </summary>
    public static double Sample(string page, string query)
    {
        var (name, labels) = Parse(query) ?? throw new ArgumentException($"not a sample name: {query}", nameof(query));
        foreach (var sample in Samples(page))
        {
            if (sample.Name == name && labels.All(l => sample.Labels.TryGetValue(l.Key, out var v) && v == l.Value))
                return sample.Value;
        }
        return 0;
    }

    /// <summary>Every sample line of a page: name, labels, value.</summary>
    public static IEnumerable<(string Name, IReadOnlyDictionary<string, string> Labels, double Value)> Samples(string page)
    {
        foreach (var line in page.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var space = line.LastIndexOf(' ');
            if (Parse(line[..space]) is not { } sample) throw new FormatException($"not a sample line: {line}");
            var text = line[(space + 1)..];
            var value = text switch { "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, "NaN" => double.NaN, _ => double.Parse(text, CultureInfo.InvariantCulture) };
            yield return (sample.Name, sample.Labels, value);
        }
    }

    public static async Task<double> UnsealsAsync(DaemonFixture daemon) =>
        Sample(await daemon.MetricsAsync(), "custody_hsm_operation_duration_seconds_count{operation=\"unseal\"}");

    /// <summary>Signatures the signing pipeline made (HD or HSM-native).</summary>
    public static async Task<double> SignaturesAsync(DaemonFixture daemon) =>
        Sample(await daemon.MetricsAsync(), "custody_signing_duration_seconds_count");

    private static (string Name, Dictionary<string, string> Labels)? Parse(string text)
    {
        var match = SampleName().Match(text);
        if (!match.Success) return null;
        var labels = match.Groups["label"].Captures.Select((c, i) => (c.Value, match.Groups["value"].Captures[i].Value))
            .ToDictionary(l => l.Item1, l => Regex.Unescape(l.Item2), StringComparer.Ordinal);
        return (match.Groups["name"].Value, labels);
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?<label>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)",?)*\})?$""")]
    private static partial Regex SampleName();
}
