using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Custody.Daemon.Configuration;

/// <summary>
/// Reads the daemon's configuration in layers, each overriding the one before: the defaults in
/// <see cref="DaemonOptions"/>, appsettings.json beside the binary, the <c>--config</c> file,
/// <c>CUSTODY_</c> environment variables, the command line. Nothing else is configuration (not
/// ASP.NET Core's unprefixed environment variables or host switches): a <c>Kestrel:Endpoints</c>
/// entry from any of them would open a listener around the loopback rule of plaintext.
/// <para>
/// Every key is checked against <see cref="DaemonOptions"/> before anything listens: an unknown
/// key, a value of the wrong type or out of range, a path to a file that is not there stops the
/// daemon with the key and where it came from. A misspelt security setting that was silently
/// ignored would leave the default in force. The one section taken as it is, but for its log
/// levels, is .NET's own <c>Logging</c>, whose keys are category names.
/// </para>
/// </summary>
public static class DaemonConfiguration
{
    public const string EnvironmentPrefix = "CUSTODY_";

    /// <summary>The section .NET's logging reads; its keys are free (category names).</summary>
    public const string LoggingSection = "Logging";

    private static readonly Dictionary<string, PropertyInfo> Leaves = new(StringComparer.OrdinalIgnoreCase);
    private static readonly HashSet<string> Sections = new(StringComparer.OrdinalIgnoreCase) { LoggingSection };

    /// <summary>Sections that are lists of sections (Audit:Witnesses): their entries are numbered, the keys spelled with N.</summary>
    private static readonly HashSet<string> Lists = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How an entry's number is spelled in <see cref="Keys"/> ("Audit:Witnesses:N:Url").</summary>
    public const string ListIndex = "N";

    static DaemonConfiguration() => Describe(typeof(DaemonOptions), prefix: "");

    /// <summary>Every key the daemon reads, spelled as in docs/daemon.md ("Limits:Burst").</summary>
    public static IReadOnlyCollection<string> Keys => Leaves.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Replaces the sources of <paramref name="configuration"/> with the daemon's layers, checks
    /// every key and value in them, and returns the options they give.
    /// </summary>
    public static DaemonOptions Read(ConfigurationManager configuration, CommandLine commandLine, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(commandLine);
        ArgumentNullException.ThrowIfNull(environment);
        var layers = new List<(IConfigurationRoot Values, Func<string, string> Source)>
        {
            JsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, "appsettings.json beside the binary"),
        };
        if (commandLine.ConfigFile is { } file)
            layers.Add(JsonFile(Path.GetFullPath(file), optional: false, "--config"));
        var fromEnvironment = EnvironmentKeys(environment);
        layers.Add((Memory(fromEnvironment.Select(e => KeyValuePair.Create(e.Key, e.Value.Value))),
            key => $"environment variable {fromEnvironment[key].Name}"));
        layers.Add((Memory(commandLine.Settings), _ => "command line"));

        var problems = layers.SelectMany(layer => layer.Values.AsEnumerable()
            .Select(entry => Check(entry.Key, entry.Value, layer.Values) is { } problem ? $"{entry.Key} ({layer.Source(entry.Key)}): {problem}" : null)
            .OfType<string>()).ToList();
        if (problems.Count > 0)
            throw new StartupException(string.Join('\n', problems));

        configuration.Sources.Clear();
        foreach (var (values, _) in layers)
            configuration.AddConfiguration(values);
        return configuration.Get<DaemonOptions>() ?? new DaemonOptions();
    }

    private static (IConfigurationRoot, Func<string, string>) JsonFile(string path, bool optional, string name)
    {
        try
        {
            var values = new ConfigurationBuilder().AddJsonFile(path, optional, reloadOnChange: false).Build();
            return (values, _ => name == "--config" ? path : name);
        }
        catch (FileNotFoundException)
        {
            throw new StartupException($"{name} {path}: no such file");
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new StartupException($"{name} {path}: {e.Message}");
        }
        catch (InvalidDataException e)
        {
            // The JSON reader's exception, innermost, names the line and the byte.
            throw new StartupException($"{name} {path}: {e.GetBaseException().Message}");
        }
    }

    private static IConfigurationRoot Memory(IEnumerable<KeyValuePair<string, string?>> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    /// <summary>
    /// CUSTODY_LIMITS__BURST is Limits:Burst. A name whose first part is no key or section of the
    /// daemon is not configuration and is left alone: the prefix is shared with the project's
    /// scripts (CUSTODY_DATA_DIR of scripts/run.sh, CUSTODY_TEST_RESULTS of CI). Inside a section
    /// every name must be a key.
    /// </summary>
    private static Dictionary<string, (string Name, string? Value)> EnvironmentKeys(IDictionary environment)
    {
        var keys = new Dictionary<string, (string, string?)>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry variable in environment)
        {
            var name = (string)variable.Key;
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)) continue;
            var key = name[EnvironmentPrefix.Length..].Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
            var first = key.Split(ConfigurationPath.KeyDelimiter)[0];
            if (Leaves.ContainsKey(first) || Sections.Contains(first))
                keys[key] = (name, (string?)variable.Value);
        }
        return keys;
    }

    /// <summary>What is wrong with one entry of a layer, or null.</summary>
    private static string? Check(string key, string? value, IConfiguration layer)
    {
        if (ListEntry(key) is { } entry)
        {
            if (entry.Key is null) return $"'{entry.Index}' is not an entry number (0, 1, ...)";
            key = entry.Key;
        }
        if (key.StartsWith(LoggingSection + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase))
            return CheckLogLevel(key, value);
        if (Sections.Contains(key))
            // An empty list ([]) reads as "".
            return value is null || (value.Length == 0 && Lists.Contains(key)) ? null : "a section, not a key: set the keys inside it (docs/daemon.md lists them)";
        if (!Leaves.TryGetValue(key, out var property))
        {
            // Only the leaves of an unknown section speak, not every level above them.
            return value is null && layer.GetSection(key).GetChildren().Any() ? null : "not a configuration key (docs/daemon.md lists them all)";
        }
        if (value is null) return null;
        if (!TryConvert(property.PropertyType, value, out var typed, out var expected))
            return $"'{value}' is not {expected}";
        foreach (var rule in property.GetCustomAttributes<ValidationAttribute>())
        {
            if (rule.IsValid(typed)) continue;
            return rule is RangeAttribute range
                ? $"{value} is out of range: from {range.Minimum} to {range.Maximum}"
                : rule.FormatErrorMessage(value);
        }
        return null;
    }

    /// <summary>"Audit:Witnesses:0:Url" is "Audit:Witnesses:N:Url" (Key null when the number is not one); null for a key outside any list.</summary>
    private static (string? Key, string Index)? ListEntry(string key)
    {
        var parts = key.Split(ConfigurationPath.KeyDelimiter);
        for (var i = 1; i < parts.Length; i++)
        {
            if (!Lists.Contains(string.Join(ConfigurationPath.KeyDelimiter, parts[..i]))) continue;
            var index = parts[i];
            if (index.Length == 0 || index.Length > 4 || !index.All(char.IsAsciiDigit)) return (null, index);
            parts[i] = ListIndex;
            return (string.Join(ConfigurationPath.KeyDelimiter, parts), index);
        }
        return null;
    }

    /// <summary>Logging's own binder would throw on a bad level at the first log line, with a stack trace.</summary>
    private static string? CheckLogLevel(string key, string? value)
    {
        var parts = key.Split(ConfigurationPath.KeyDelimiter);
        if (value is null || parts.Length < 3 || !parts[^2].Equals("LogLevel", StringComparison.OrdinalIgnoreCase)) return null;
        return Enum.TryParse<LogLevel>(value, ignoreCase: true, out _) ? null
            : $"'{value}' is not a log level ({string.Join(", ", Enum.GetNames<LogLevel>())})";
    }

    /// <summary>The value as the binder will read it; the binder would throw without naming where the value came from.</summary>
    private static bool TryConvert(Type declared, string value, out object? typed, out string expected)
    {
        var type = Nullable.GetUnderlyingType(declared) ?? declared;
        typed = value;
        expected = "";
        if (type == typeof(string)) return true;
        if (type.IsEnum)
        {
            var names = Enum.GetNames(type);
            expected = "one of " + string.Join(", ", names.Select(n => n.ToLowerInvariant()));
            var name = names.FirstOrDefault(n => n.Equals(value.Trim(), StringComparison.OrdinalIgnoreCase));
            typed = name is null ? null : Enum.Parse(type, name);
            return name is not null;
        }
        if (type == typeof(int))
        {
            expected = "a whole number";
            var ok = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number);
            typed = number;
            return ok;
        }
        if (type == typeof(double))
        {
            expected = "a number";
            var ok = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number);
            typed = number;
            return ok;
        }
        throw new NotSupportedException($"configuration keys of type {type.Name} are not checked yet: teach {nameof(DaemonConfiguration)}.{nameof(TryConvert)}");
    }

    /// <summary>Walks the options types: a settable property of a class type is a section, any other a key.</summary>
    private static void Describe(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
        {
            var key = prefix + property.Name;
            var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (valueType.IsGenericType && valueType.GetGenericTypeDefinition() == typeof(List<>))
            {
                Sections.Add(key);
                Lists.Add(key);
                Sections.Add(key + ConfigurationPath.KeyDelimiter + ListIndex);
                Describe(valueType.GetGenericArguments()[0], key + ConfigurationPath.KeyDelimiter + ListIndex + ConfigurationPath.KeyDelimiter);
            }
            else if (valueType.IsClass && valueType != typeof(string))
            {
                Sections.Add(key);
                Describe(valueType, key + ConfigurationPath.KeyDelimiter);
            }
            else
            {
                Leaves.Add(key, property);
            }
        }
    }

}

/// <summary>A path setting that must name an existing file; unset is allowed.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ExistingFileAttribute() : ValidationAttribute("{0} does not exist")
{
    public override bool IsValid(object? value) => value is not string path || string.IsNullOrWhiteSpace(path) || File.Exists(path);
}

/// <summary>An absolute http:// or https:// URL; unset is allowed.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class HttpUrlAttribute() : ValidationAttribute("'{0}' is not an absolute http:// or https:// URL")
{
    public override bool IsValid(object? value) => value is not string text || string.IsNullOrWhiteSpace(text)
        || (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps));
}

/// <summary>A signed-note verifier key (&lt;name&gt;+&lt;key id&gt;+&lt;base64 key&gt;); unset is allowed.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class VerifierKeyAttribute() : ValidationAttribute("'{0}' is not a verifier key (<name>+<key id>+<base64 key>)")
{
    public override bool IsValid(object? value)
    {
        if (value is not string text || string.IsNullOrWhiteSpace(text)) return true;
        try
        {
            Core.Audit.Notes.NoteVerifierKey.Parse(text.Trim());
            return true;
        }
        catch (Core.InvalidInputException)
        {
            return false;
        }
    }
}

/// <summary>An absolute path whose directory exists (the file itself may not yet); unset is allowed.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class FileInExistingDirectoryAttribute() : ValidationAttribute("{0}: not an absolute path in an existing directory")
{
    public override bool IsValid(object? value) => value is not string path || string.IsNullOrWhiteSpace(path)
        || (Path.IsPathFullyQualified(path) && Path.GetDirectoryName(path) is { } directory && Directory.Exists(directory));
}
