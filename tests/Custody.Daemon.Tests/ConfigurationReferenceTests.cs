using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using Custody.Daemon.Configuration;
using Microsoft.Extensions.Configuration;

namespace Custody.Daemon.Tests;

/// <summary>
/// The daemon's options, docs/daemon.md's configuration table and the sample configuration an
/// installation starts from name the same keys; the sample holds the defaults and is accepted.
/// </summary>
public class ConfigurationReferenceTests
{
    private static readonly string Sample = Repository.File("packaging", "custodyd.json");

    [Fact]
    public void The_docs_table_and_the_sample_configuration_name_every_key_the_daemon_reads()
    {
        var sample = new ConfigurationBuilder().AddJsonFile(Sample).Build();
        var sampleKeys = sample.AsEnumerable()
            .Where(entry => !sample.GetSection(entry.Key).GetChildren().Any()) // leaves only, null ones too
            .Select(entry => entry.Key)
            .Where(key => !key.StartsWith(DaemonConfiguration.LoggingSection + ":", StringComparison.Ordinal)) // .NET's, not ours
            .SelectMany(ListKeys);
        AssertSameKeys(DocumentedKeys(), "docs/daemon.md's configuration table");
        AssertSameKeys(sampleKeys, "packaging/custodyd.json");
    }

    [Fact]
    public void The_sample_configuration_is_accepted_and_holds_the_defaults_but_the_data_directory()
    {
        var options = DaemonConfiguration.Read(new ConfigurationManager(), CommandLine.Parse(["--config", Sample]), new Hashtable());
        var defaults = new DaemonOptions();
        Assert.Equal("/var/lib/custody", options.DataDir);
        Assert.Empty(options.Audit.Witnesses);
        foreach (var key in DaemonConfiguration.Keys.Where(k => k != nameof(DaemonOptions.DataDir) && !IsListKey(k)))
            Assert.True(Equals(Value(defaults, key), Value(options, key)), $"{key}: the sample has {Value(options, key)}, the default is {Value(defaults, key)}");
    }

    /// <summary>An empty list in the sample ("Witnesses": []) stands for the keys of its entries.</summary>
    private static IEnumerable<string> ListKeys(string key)
    {
        var entries = DaemonConfiguration.Keys.Where(k => k.StartsWith($"{key}:{DaemonConfiguration.ListIndex}:", StringComparison.Ordinal)).ToList();
        return entries.Count > 0 ? entries : [key];
    }

    private static bool IsListKey(string key) => key.Split(':').Contains(DaemonConfiguration.ListIndex);

    private static void AssertSameKeys(IEnumerable<string> listed, string where)
    {
        var keys = listed.ToHashSet(StringComparer.Ordinal);
        var missing = DaemonConfiguration.Keys.Where(k => !keys.Contains(k)).ToList();
        var unknown = keys.Where(k => !DaemonConfiguration.Keys.Contains(k, StringComparer.Ordinal)).ToList();
        Assert.True(missing.Count == 0 && unknown.Count == 0,
            $"{where}: missing {string.Join(", ", missing)}; not read by the daemon (or misspelt): {string.Join(", ", unknown)}");
    }

    /// <summary>The backquoted names in the first column of the table under "## Configuration".</summary>
    private static IEnumerable<string> DocumentedKeys()
    {
        var lines = File.ReadAllLines(Repository.File("docs", "daemon.md"));
        var rows = lines.SkipWhile(l => l != "## Configuration").SkipWhile(l => !l.StartsWith("| key |", StringComparison.Ordinal))
            .Skip(2).TakeWhile(l => l.StartsWith('|')).ToList();
        Assert.NotEmpty(rows);
        return rows.SelectMany(row => Regex.Matches(row.Split('|')[1], "`([^`]+)`").Select(m => m.Groups[1].Value));
    }

    /// <summary>The value of "Section:Key" in an options object.</summary>
    private static object? Value(object options, string key)
    {
        object? value = options;
        foreach (var name in key.Split(':'))
            value = value!.GetType().GetProperty(name, BindingFlags.Public | BindingFlags.Instance)!.GetValue(value);
        return value;
    }
}
