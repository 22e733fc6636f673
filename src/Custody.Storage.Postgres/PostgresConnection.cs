using Npgsql;

namespace Custody.Storage.Postgres;

/// <summary>
/// Where the shared ledger is, as configured: a connection string (host, port, database, user, TLS
/// settings; never the password) and/or a file holding one (password allowed; owner-only). The
/// password may also come from the environment as libpq defines it (PGPASSWORD, a PGPASSFILE or
/// ~/.pgpass), which Npgsql reads. It is never taken from the command line, never logged, and never
/// part of an error message: <see cref="Describe"/> names host, port and database only.
/// </summary>
public static class PostgresConnection
{
    /// <summary>
    /// The connection string to use: the file's keywords, then the configured string's over them.
    /// Refuses a password in <paramref name="connectionString"/> unless <paramref name="passwordAllowed"/>
    /// (the environment is a fit place for one; a command line or a shared configuration file is not).
    /// </summary>
    public static string Resolve(string? connectionString, string? file, bool passwordAllowed)
    {
        var settings = new NpgsqlConnectionStringBuilder();
        if (!string.IsNullOrWhiteSpace(file))
        {
            RequireOwnerOnly(file);
            settings.ConnectionString = ReadFile(file);
        }
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            NpgsqlConnectionStringBuilder configured;
            try
            {
                configured = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException)
            {
                // The builder's message may quote the string, password and all.
                throw new ArgumentException("Storage:ConnectionString is not a valid connection string (keyword=value; …)");
            }
            if (!passwordAllowed && HasPassword(configured))
                throw new ArgumentException("Storage:ConnectionString holds a password: put the whole connection string in Storage:ConnectionStringFile (owner-only), or the password in PGPASSWORD or a .pgpass file");
            foreach (var key in configured.Keys.Cast<string>())
                if (configured.TryGetValue(key, out var value) && value is not null) settings[key] = value;
        }
        if (string.IsNullOrWhiteSpace(settings.Host) || string.IsNullOrWhiteSpace(settings.Database))
            throw new ArgumentException("the PostgreSQL ledger needs at least Host and Database (Storage:ConnectionString or Storage:ConnectionStringFile)");
        return settings.ConnectionString;
    }

    /// <summary>True when the string carries a password (a keyword the driver reads as one).</summary>
    public static bool HasPassword(string connectionString)
    {
        try
        {
            return HasPassword(new NpgsqlConnectionStringBuilder(connectionString));
        }
        catch (ArgumentException)
        {
            return connectionString.Contains("password", StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>host:port/database, for logs and health: never the user's password.</summary>
    public static string Describe(string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{settings.Host}:{settings.Port}/{settings.Database}";
    }

    private static bool HasPassword(NpgsqlConnectionStringBuilder settings) => !string.IsNullOrEmpty(settings.Password);

    private static string ReadFile(string file)
    {
        try
        {
            var text = File.ReadAllText(file).Trim();
            _ = new NpgsqlConnectionStringBuilder(text);
            return text;
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"{file} does not hold a valid connection string (keyword=value; …)");
        }
    }

    private static void RequireOwnerOnly(string file)
    {
        if (OperatingSystem.IsWindows()) return;
        var mode = File.GetUnixFileMode(file);
        if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            throw new ArgumentException($"{file} holds the database password and others may read it: chmod 600 it");
    }
}
