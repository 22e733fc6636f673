using Xunit.Abstractions;

namespace Custody.Storage.Tests.Contract;

// Every contract, run against the shared engine: a fresh database per test in the run's own cluster.

public sealed class PostgresAuditTests() : AuditContract(Engines.Postgres);

public sealed class PostgresWriterTests() : WriterContract(Engines.Postgres);

public sealed class PostgresSigningTests() : SigningContract(Engines.Postgres);

public sealed class PostgresRaceTests() : RaceContract(Engines.Postgres);

public sealed class PostgresVelocityTests(ITestOutputHelper output) : VelocityContract(Engines.Postgres, output);

public sealed class PostgresWalletTokenTests() : WalletTokenContract(Engines.Postgres);

public sealed class PostgresFaultTests() : FaultContract(Engines.Postgres);

public sealed class PostgresSqlTests() : SqlContract(Engines.Postgres);

public sealed class PostgresMigrationTests() : MigrationContract(Engines.Postgres);
