namespace Custody.Storage.Sqlite;

/// <summary>The embedded ledger of a data directory: its one file, and the older layout's files to move in.</summary>
public static class SqliteLedger
{
    public static SqliteEngine Engine(DataDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        return new SqliteEngine(directory.Ledger, new LegacyFiles(directory.LegacyPolicyDatabase, directory.LegacyAuditDatabase));
    }

    public static Ledger Open(DataDirectory directory, LedgerOptions? options = null) => Ledger.Open(Engine(directory), options);

    /// <summary>A ledger file opened for reading only (audit verify and export): nothing is created, migrated or written.</summary>
    public static Ledger OpenReadOnly(string path) => Ledger.OpenForVerification(new SqliteEngine(path, readOnly: true));

    /// <summary>Whether the directory holds an installation's ledger (current or older layout).</summary>
    public static bool Exists(DataDirectory directory) => File.Exists(directory?.Ledger);
}
