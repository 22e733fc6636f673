namespace Custody.Storage.Postgres;

/// <summary>The shared ledger: a PostgreSQL database named by an Npgsql connection string.</summary>
public static class PostgresLedger
{
    public static Ledger Open(string connectionString, LedgerOptions? options = null, PostgresTimeouts? timeouts = null) =>
        Ledger.Open(new PostgresEngine(connectionString, timeouts), options);

    /// <summary>Opened only to read and verify: a head that does not fit is left for VerifyAsync to name.</summary>
    public static Ledger OpenForVerification(string connectionString) => Ledger.OpenForVerification(new PostgresEngine(connectionString));
}
