namespace Custody.Daemon.Configuration;

/// <summary>Configuration section "Console": the operator console's own port (docs/console.md).</summary>
public sealed class ConsoleOptions
{
    /// <summary>The console's HTTP/1.1 port; 0 (the default) turns the console off.</summary>
    public int Port { get; set; }

    /// <summary>Where it listens: loopback ("localhost", both 127.0.0.1 and ::1) unless TLS is configured.</summary>
    public string Address { get; set; } = "localhost";

    /// <summary>How long a signed-in session lasts, from sign-in (it is not extended by use).</summary>
    public int SessionMinutes { get; set; } = 15;
}
