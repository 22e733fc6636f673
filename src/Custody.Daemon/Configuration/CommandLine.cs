using System.Text;
using Custody.Core;

namespace Custody.Daemon.Configuration;

/// <summary>
/// custodyd's command line: <c>--help</c>, <c>--version</c>, <c>--config FILE</c>, a few short
/// switches for common keys, and any configuration key as <c>--Section:Key=value</c> (or
/// <c>--Section:Key value</c>). Anything else is refused, not ignored: a mistyped argument must
/// not start a signer on defaults.
/// </summary>
public sealed class CommandLine
{
    /// <summary>A short spelling of one configuration key.</summary>
    public sealed record Switch(string Name, string ValueName, string Key, string Description);

    public static IReadOnlyList<Switch> Switches { get; } =
    [
        new("--data-dir", "DIR", "DataDir", "the data directory custody-admin init created"),
        new("--address", "IP", "Address", "listen address; plaintext only on loopback (default 127.0.0.1)"),
        new("--port", "N", "Port", "gRPC port (default 7443); with TLS, HTTP/JSON too"),
        new("--http-port", "N", "HttpPort", "HTTP/1.1 port for HTTP/JSON, OpenAPI and health, 0 turns it off (default 7444)"),
        new("--metrics-port", "N", "MetricsPort", "loopback Prometheus port, 0 turns it off (default 9464)"),
        new("--log-format", "text|json", "LogFormat", "log lines on stderr; default text on a terminal, json otherwise"),
    ];

    public bool Help { get; private init; }

    public bool Version { get; private init; }

    /// <summary>The JSON configuration file of <c>--config</c>, if given.</summary>
    public string? ConfigFile { get; private init; }

    /// <summary>Configuration keys and their values; of a key given twice, the later value.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; private init; } = new Dictionary<string, string?>();

    /// <summary>Reads the arguments; a usage error is a <see cref="StartupException"/> with exit code 2.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool help = false, version = false;
        string? configFile = null;
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "-?" or "--help") { help = true; continue; }
            if (arg is "--version") { version = true; continue; }
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw Usage($"unexpected argument '{arg}'");
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            string value;
            if (equals >= 0) value = arg[(equals + 1)..];
            else if (i + 1 < args.Count) value = args[++i];
            else throw Usage($"{name} needs a value");

            if (name == "--config")
            {
                if (configFile is not null) throw Usage("--config is given twice");
                configFile = value;
                continue;
            }
            var key = Switches.FirstOrDefault(s => s.Name == name)?.Key ?? name[2..];
            settings[key] = value;
        }
        return new CommandLine { Help = help, Version = version, ConfigFile = configFile, Settings = settings };
    }

    /// <summary>What <c>custodyd --help</c> prints.</summary>
    public static string HelpText(BuildVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var rows = new List<(string Left, string Right)>
        {
            ("--config FILE", "a JSON configuration file (// comments allowed)"),
        };
        rows.AddRange(Switches.Select(s => ($"{s.Name} {s.ValueName}", $"{s.Key}: {s.Description}")));
        rows.Add(("--KEY=VALUE", "any configuration key, e.g. --Limits:Burst=200"));
        rows.Add(("-h, --help", "this text"));
        rows.Add(("--version", "the version and the commit it was built from"));
        var width = rows.Max(r => r.Left.Length) + 2;

        var text = new StringBuilder();
        text.Append("custodyd ").Append(version).AppendLine(": the Custody signing daemon (gRPC, and HTTP/JSON transcoded from it)");
        text.AppendLine();
        text.AppendLine("Usage: custodyd [--config FILE] [--data-dir DIR] [options] [--KEY=VALUE ...]");
        text.AppendLine();
        foreach (var (left, right) in rows)
            text.Append("  ").Append(left.PadRight(width)).AppendLine(right);
        text.AppendLine();
        text.AppendLine("Configuration comes in layers, each overriding the one before: the defaults,");
        text.AppendLine("appsettings.json beside the binary, --config FILE, environment variables");
        text.AppendLine("CUSTODY_KEY (CUSTODY_LIMITS__BURST=200), the command line. An unknown key or a bad");
        text.AppendLine("value stops the daemon before it listens, with a message naming the key.");
        text.AppendLine();
        text.AppendLine("Every key is described in docs/daemon.md (Configuration) and, with comments, in the");
        text.AppendLine("sample configuration: packaging/custodyd.json in the source, /etc/custody/custodyd.json");
        text.AppendLine("where the package is installed. Logs go to stderr.");
        return text.ToString();
    }

    private static StartupException Usage(string message) =>
        new($"{message}; see custodyd --help", StartupException.UsageExitCode);
}
