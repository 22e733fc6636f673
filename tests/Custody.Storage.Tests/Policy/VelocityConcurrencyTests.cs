using Custody.Core.Policy;
using Custody.Storage.Policy;
using static Custody.Storage.Tests.Policy.PolicyStoreFixture;

namespace Custody.Storage.Tests.Policy;

public class VelocityConcurrencyTests
{
    private static readonly string Friend = Evm(0x11);

    [Fact]
    public async Task Sixty_four_parallel_requests_admit_exactly_what_the_limit_holds()
    {
        // 1000 per hour; 64 requests of 70 each: exactly 14 fit (980), a 15th would make 1050.
        await using var fixture = await CreateAsync(PolicyText());
        var gates = new[] { fixture.Gate, fixture.SecondGate() };
        var decisions = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            gates[i % 2].AdmitAsync(fixture.Request(Eth(Friend, 70, nonce: i), requestId: $"r{i}"), CancellationToken.None))));

        Assert.Equal(14, decisions.Count(d => d.IsAllowed));
        Assert.All(decisions.Where(d => !d.IsAllowed), d => Assert.Equal((PolicyOutcome.Deny, PolicyRules.Velocity), (d.Outcome, d.Rule)));

        // the ledger agrees: 20 more fit, 21 do not
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 20, 100), "fill"), default)).IsAllowed);
        Assert.Equal(PolicyRules.Velocity, (await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1, 101), "over"), default)).Rule);
    }

    [Fact]
    public async Task Parallel_count_limit_is_exact()
    {
        await using var fixture = await CreateAsync(PolicyText("""{ "velocity": [ { "window": "24h", "maxCount": 5 } ] }"""));
        var decisions = await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(() =>
            fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1, nonce: i), requestId: $"r{i}"), CancellationToken.None))));
        Assert.Equal(5, decisions.Count(d => d.IsAllowed));
    }

    [Fact]
    public async Task Limits_are_inclusive_and_past_64_bits()
    {
        var huge = (System.Numerics.BigInteger.One << 70).ToString();
        await using var fixture = await CreateAsync(PolicyText($$"""{ "velocity": [ { "window": "1h", "maxAmount": "{{huge}}" } ] }"""));
        var half = System.Numerics.BigInteger.One << 69;
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, half, 1), "a"), default)).IsAllowed);
        Assert.Equal(PolicyRules.Velocity, (await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, half + 1, 2), "b"), default)).Rule);
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, half, 3), "c"), default)).IsAllowed); // exactly 2^70
        Assert.Equal(PolicyRules.Velocity, (await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1, 4), "d"), default)).Rule);
    }

    [Fact]
    public async Task Window_sums_are_exact_up_to_the_top_limb()
    {
        // amounts near 2^254 with low bits set: every one of the eight 32-bit limbs carries
        var amount = (System.Numerics.BigInteger.One << 254) + ulong.MaxValue + 12345;
        var limit = 2 * amount;
        await using var fixture = await CreateAsync(PolicyText($$"""{ "velocity": [ { "window": "1h", "maxAmount": "{{limit}}" } ] }"""));
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, amount, 1), "a"), default)).IsAllowed);
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, amount, 2), "b"), default)).IsAllowed);
        var over = await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1, 3), "c"), default);
        Assert.Equal(PolicyRules.Velocity, over.Rule);
        Assert.Contains(limit.ToString(), over.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Window_rolls_and_release_gives_budget_back()
    {
        await using var fixture = await CreateAsync(PolicyText());
        var first = fixture.Request(Eth(Friend, 600, 1), "first");
        Assert.True((await fixture.Gate.AdmitAsync(first, default)).IsAllowed);
        var second = fixture.Request(Eth(Friend, 600, 2), "second");
        Assert.Equal(PolicyRules.Velocity, (await fixture.Gate.AdmitAsync(second, default)).Rule);

        // signing the first failed: its reservation is released, so the second fits
        await fixture.Gate.ReleaseAsync(first, default);
        Assert.True((await fixture.Gate.AdmitAsync(second, default)).IsAllowed);

        // an hour later the window no longer holds the second
        fixture.Clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(PolicyRules.Velocity, (await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 600, 3), "third"), default)).Rule);
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 600, 4), "fourth"), default)).IsAllowed);
    }

    [Fact]
    public async Task Retry_of_the_same_request_is_not_counted_twice()
    {
        await using var fixture = await CreateAsync(PolicyText());
        var request = fixture.Request(Eth(Friend, 600, 1));
        Assert.True((await fixture.Gate.AdmitAsync(request, default)).IsAllowed);
        Assert.True((await fixture.Gate.AdmitAsync(request, default)).IsAllowed);
        Assert.True((await fixture.Gate.AdmitAsync(request with { ReceivedAt = request.ReceivedAt.AddSeconds(5) }, default)).IsAllowed);
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 400, 2), "other"), default)).IsAllowed);
    }

    [Fact]
    public async Task Dry_run_reserves_nothing()
    {
        await using var fixture = await CreateAsync(PolicyText());
        for (var i = 0; i < 5; i++)
            Assert.True((await fixture.Gate.DryRunAsync(fixture.Request(Eth(Friend, 1000, i), $"dry{i}"), default)).IsAllowed);
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 1000, 9), "real"), default)).IsAllowed);
        var dry = await fixture.Gate.DryRunAsync(fixture.Request(Eth(Friend, 1, 10), "dry-after"), default);
        Assert.Equal(PolicyRules.Velocity, dry.Rule);
    }

    [Fact]
    public async Task Reservations_survive_a_restart()
    {
        await using var fixture = await CreateAsync(PolicyText());
        Assert.True((await fixture.Gate.AdmitAsync(fixture.Request(Eth(Friend, 900, 1), "a"), default)).IsAllowed);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var restarted = fixture.SecondGate();
        Assert.Equal(PolicyRules.Velocity, (await restarted.AdmitAsync(fixture.Request(Eth(Friend, 101, 2), "b"), default)).Rule);
    }

    [Fact]
    public async Task Schema_is_versioned_and_policy_versions_are_append_only()
    {
        await using var fixture = await CreateAsync(PolicyText());
        await fixture.Database.InitializeAsync(default); // a second start migrates nothing
        await using var connection = await fixture.Database.OpenAsync(default);
        Assert.Equal(PolicySchema.Migrations.Count, Custody.Storage.Sqlite.SqliteSchema.CurrentVersion(connection, PolicySchema.Component));
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE policy_versions SET document = '{}'";
        Assert.Contains("append-only", Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => command.ExecuteNonQuery()).Message, StringComparison.Ordinal);
        command.CommandText = "DELETE FROM policy_versions";
        Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => command.ExecuteNonQuery());
    }

    [Theory]
    [InlineData("DELETE FROM policy_replay_keys WHERE request_digest = 'x'", "policy_replay_keys_by_request")]
    [InlineData("SELECT 1 FROM policy_replay_keys WHERE request_digest = 'x'", "policy_replay_keys_by_request")] // the foreign-key check
    [InlineData("SELECT 1 FROM policy_velocity WHERE request_digest = 'x'", "sqlite_autoindex_policy_velocity_1")]
    [InlineData("SELECT 1 FROM policy_reservations WHERE request_digest = 'x'", "sqlite_autoindex_policy_reservations_1")]
    public async Task Per_request_lookups_use_an_index_so_admissions_do_not_slow_as_the_ledger_grows(string statement, string index)
    {
        await using var fixture = await CreateAsync();
        await using var connection = await fixture.Database.OpenAsync(default);
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + statement;
        var plan = new List<string>();
        using (var reader = command.ExecuteReader())
            while (reader.Read()) plan.Add(reader.GetString(3));
        Assert.Contains(plan, step => step.Contains("USING", StringComparison.Ordinal) && step.Contains(index, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(nameof(VelocityWindows.Excluded))]
    [InlineData(nameof(VelocityWindows.Adjust))]
    [InlineData(nameof(VelocityWindows.Between))]
    public async Task Running_velocity_totals_never_read_a_whole_window(string name)
    {
        var statement = (string)typeof(VelocityWindows).GetField(name, System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!.GetValue(null)!;
        await using var fixture = await CreateAsync();
        await using var connection = await fixture.Database.OpenAsync(default);
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + statement;
        foreach (var parameter in new[] { "@wallet", "@chain", "@asset", "@since", "@from", "@to", "@sign" }) command.Parameters.AddWithValue(parameter, 1);
        foreach (var parameter in new[] { "@exclude", "@digests" }) command.Parameters.AddWithValue(parameter, "[\"x\"]");
        var plan = new List<string>();
        using (var reader = command.ExecuteReader())
            while (reader.Read()) plan.Add(reader.GetString(3));
        // The ledger is reached by request digest (its primary key), or by the window index with a
        // bounded time range (Between); never scanned.
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN v", StringComparison.Ordinal) || step.StartsWith("SCAN policy_velocity", StringComparison.Ordinal));
        if (name != nameof(VelocityWindows.Between))
            Assert.Contains(plan, step => step.Contains("USING INDEX sqlite_autoindex_policy_velocity_1 (request_digest=?", StringComparison.Ordinal));
        else
            Assert.Contains(plan, step => step.Contains("at>? AND at<?", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Database_runs_in_wal_with_full_sync()
    {
        await using var fixture = await CreateAsync();
        await using var connection = await fixture.Database.OpenAsync(default);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "PRAGMA synchronous";
        Assert.Equal(2L, command.ExecuteScalar()); // FULL
    }
}
