using Xunit.Abstractions;

namespace Custody.Storage.Tests.Contract;

// Every contract, run against the embedded engine: a fresh SQLite file per test.

public sealed class SqliteAuditTests() : AuditContract(Engines.Sqlite);

public sealed class SqliteWriterTests() : WriterContract(Engines.Sqlite);

public sealed class SqliteSigningTests() : SigningContract(Engines.Sqlite);

public sealed class SqliteRaceTests() : RaceContract(Engines.Sqlite);

public sealed class SqliteVelocityTests(ITestOutputHelper output) : VelocityContract(Engines.Sqlite, output);

public sealed class SqliteWalletTokenTests() : WalletTokenContract(Engines.Sqlite);

public sealed class SqliteFaultTests() : FaultContract(Engines.Sqlite);

public sealed class SqliteSqlTests() : SqlContract(Engines.Sqlite);

public sealed class SqliteMigrationTests() : MigrationContract(Engines.Sqlite);
