namespace Custody.Storage;

/// <summary>Custody.Storage: SQLite (and later PostgreSQL) persistence through Dapper.</summary>
public static class StorageAssemblyMarker;
