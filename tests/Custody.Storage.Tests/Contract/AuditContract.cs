using System.Security.Cryptography;
using System.Text;
using Custody.Core;
using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.Core.Policy;
using static Custody.Storage.Tests.Contract.LedgerKit;

namespace Custody.Storage.Tests.Contract;

/// <summary>The audit log inside the ledger: gap-free, checkpointed, provable, and every kind of tampering named.</summary>
public abstract class AuditContract(Func<bool, LedgerStore> stores) : LedgerContract(stores)
{
    private const int Records = 50;

    [Fact]
    public async Task Concurrent_appends_get_gap_free_sequences_and_receipts_that_match_the_records()
    {
        var store = NewStore();
        using var signer = Signer();
        await using var ledger = store.Open(Options(signer));
        var receipts = await Task.WhenAll(Enumerable.Range(0, Records).Select(i => Task.Run(() =>
            ledger.Audit.AppendAsync(Record(details: new Dictionary<string, string> { ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture) })))));

        Assert.Equal(Enumerable.Range(0, Records).Select(i => (long)i), receipts.Select(r => r.Sequence).Order());
        Assert.Equal(Records, ledger.Audit.Size);
        var tree = new MerkleTree();
        for (long seq = 0; seq < Records; seq++)
        {
            var record = (await ledger.Audit.GetAsync(seq, default))!;
            var receipt = receipts.Single(r => r.Sequence == seq);
            Assert.Equal(seq, record.Sequence);
            Assert.Equal(receipt.Time, record.Time);
            Assert.Equal(receipt.LeafHash.ToArray(), MerkleHash.Leaf(AuditRecordEncoding.Encode(record)));
            tree.Append(receipt.LeafHash.Span);
        }
        // The stored leaf hashes, any range of them, in order; a range past the log is refused.
        var leaves = receipts.OrderBy(r => r.Sequence).Select(r => r.LeafHash.ToArray()).ToList();
        Assert.Equal(leaves, await ledger.Audit.LeafHashesAsync(0, Records, default));
        Assert.Equal(leaves[7..19], await ledger.Audit.LeafHashesAsync(7, 19, default));
        Assert.Empty(await ledger.Audit.LeafHashesAsync(Records, Records, default));
        var past = await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.Audit.LeafHashesAsync(Records - 1, Records + 1, default));
        Assert.Contains("audit verify", past.Message, StringComparison.Ordinal);
        // The head's frontier is what the checkpoint signs: it must be the tree of the records.
        var checkpoint = (await ledger.Audit.CheckpointAsync())!;
        Assert.Equal(Records, checkpoint.Checkpoint.Size);
        Assert.Equal(tree.Root(), checkpoint.Checkpoint.RootHash.ToArray());
    }

    [Fact]
    public async Task Verify_needs_every_record_signed_unless_the_unsigned_tail_is_allowed()
    {
        var store = NewStore();
        using var signer = Signer();
        await using var ledger = await FilledAsync(store, signer);
        var verdict = await ledger.Audit.VerifyAsync(Key(signer), null, default);
        Assert.True(verdict.IsVerified(), verdict.ToString());
        Assert.Equal(Records, verdict.RecordCount);

        for (var i = 0; i < 3; i++) await ledger.Audit.AppendAsync(Record());
        verdict = await ledger.Audit.VerifyAsync(Key(signer), null, default);
        Assert.True(verdict.IsIntact, verdict.ToString());
        Assert.False(verdict.IsVerified());
        Assert.Equal(3, verdict.UnsignedRecords);
        Assert.True(verdict.IsVerified(allowUnsignedTail: true));

        // Another key's view: the checkpoints are not its own.
        using var stranger = Signer("stranger");
        Assert.Equal(AuditFailureKind.BadSignature, (await ledger.Audit.VerifyAsync(Key(stranger), null, default)).Failure?.Kind);
    }

    [Fact]
    public async Task An_edited_old_record_does_not_stop_opening_which_reads_no_record_but_verify_names_it()
    {
        var store = NewStore();
        using var signer = Signer();
        await (await FilledAsync(store, signer)).DisposeAsync();
        var edited = Record(principal: "mallory") with { Sequence = 7 };
        var original = store.Scalar<long>("SELECT time_us FROM audit_records WHERE seq = 7");
        edited = edited with { Time = DateTimeOffset.UnixEpoch.AddTicks(original * 10) };
        Assert.Equal(1, store.Tamper("UPDATE audit_records SET data = @data WHERE seq = 7", ("@data", AuditRecordEncoding.Encode(edited))));

        // Opening checks the head against the newest checkpoint in a few reads: it does not replay the log, so it opens.
        await using var ledger = store.Open(Options(signer));
        var verdict = await ledger.Audit.VerifyAsync(Key(signer), null, default);
        Assert.Equal((AuditFailureKind.AlteredRecord, 7L), (verdict.Failure?.Kind, verdict.Failure?.Index));
    }

    [Fact]
    public async Task A_deleted_record_is_named_missing()
    {
        var store = NewStore();
        using var signer = Signer();
        await (await FilledAsync(store, signer)).DisposeAsync();
        Assert.Equal(1, store.Tamper("DELETE FROM audit_records WHERE seq = 5"));
        await using var ledger = store.Open(Options(signer));
        var verdict = await ledger.Audit.VerifyAsync(Key(signer), null, default);
        Assert.Equal((AuditFailureKind.MissingRecord, 5L), (verdict.Failure?.Kind, verdict.Failure?.Index));
    }

    [Fact]
    public async Task A_cut_tail_is_refused_at_open_whether_or_not_the_head_was_rewound()
    {
        var store = NewStore();
        using var signer = Signer();
        await (await FilledAsync(store, signer)).DisposeAsync();
        var leaves = Enumerable.Range(0, 40).Select(seq => store.Scalar<byte[]>("SELECT leaf_hash FROM audit_records WHERE seq = @seq", ("@seq", (long)seq))).ToList();
        Assert.Equal(10, store.Tamper("DELETE FROM audit_records WHERE seq >= 40"));

        // The head still says 50: it does not fit the records.
        var open = Assert.Throws<AuditLogTamperedException>(() => store.Open(Options(signer)));
        Assert.Equal(AuditFailureKind.HeadMismatch, open.Failure.Kind);
        await using (var reader = store.OpenForVerification())
            Assert.False((await reader.Audit.VerifyAsync(Key(signer), null, default)).IsIntact);

        // Rewound to 40 records: the newest checkpoint covers 50.
        var tree = new MerkleTreeState();
        foreach (var leaf in leaves) tree.Append(leaf);
        store.Tamper("UPDATE audit_head SET size = @size, edge = @edge WHERE id = 1", ("@size", 40L), ("@edge", tree.RightEdge.SelectMany(h => h).ToArray()));
        open = Assert.Throws<AuditLogTamperedException>(() => store.Open(Options(signer)));
        Assert.Equal(AuditFailureKind.Truncated, open.Failure.Kind);
        await using (var reader = store.OpenForVerification())
            Assert.Equal(AuditFailureKind.Truncated, (await reader.Audit.VerifyAsync(Key(signer), null, default)).Failure?.Kind);
    }

    [Fact]
    public async Task A_forged_checkpoint_is_refused_at_open_and_named_by_verify()
    {
        var store = NewStore();
        using var signer = Signer();
        await (await FilledAsync(store, signer)).DisposeAsync();
        // One more record that no checkpoint covers (a ledger without the audit key signs none as it closes).
        await using (var unsigned = store.Open(Options()))
            await unsigned.Audit.AppendAsync(Record());
        // Someone with the database but not the audit key signs the head as it is now.
        using var forger = Signer("forger");
        var size = store.Scalar<long>("SELECT size FROM audit_head WHERE id = 1");
        var root = (await ReadRootAsync(store, size));
        var note = new Checkpoint(signer.Name, size, root).Sign(forger);
        var index = store.Scalar<long>("SELECT max(idx) FROM audit_checkpoints") + 1;
        store.Tamper("INSERT INTO audit_checkpoints (idx, tree_size, time_us, note) VALUES (@idx, @size, 0, @note)", ("@idx", index), ("@size", size), ("@note", note));

        var open = Assert.Throws<AuditLogTamperedException>(() => store.Open(Options(signer)));
        Assert.Equal(AuditFailureKind.BadSignature, open.Failure.Kind);
        await using var reader = store.OpenForVerification();
        var verdict = await reader.Audit.VerifyAsync(Key(signer), null, default);
        Assert.Equal((AuditFailureKind.BadSignature, index), (verdict.Failure?.Kind, verdict.Failure?.Index));
    }

    [Fact]
    public async Task Inclusion_and_consistency_proofs_verify_against_the_signed_roots()
    {
        var store = NewStore();
        using var signer = Signer();
        await using var ledger = store.Open(Options(signer));
        for (var i = 0; i < 10; i++) await ledger.Audit.AppendAsync(Record());
        var first = (await ledger.Audit.CheckpointAsync())!;
        for (var i = 0; i < 15; i++) await ledger.Audit.AppendAsync(Record());
        var second = (await ledger.Audit.CheckpointAsync())!;
        Assert.Equal((0L, 1L, 10L, 25L), (first.Index, second.Index, first.Checkpoint.Size, second.Checkpoint.Size));

        foreach (var seq in new long[] { 0, 7, 24 })
        {
            var (checkpoint, proof, data) = await ledger.Audit.InclusionProofAsync(seq, null, default);
            Assert.Equal(second.Index, checkpoint.Index);
            Assert.True(proof.Verify(MerkleHash.Leaf(data), checkpoint.Checkpoint.RootHash.Span), $"record {seq}");
            Assert.False(proof.Verify(MerkleHash.Leaf([.. data, 0]), checkpoint.Checkpoint.RootHash.Span));
        }
        var (_, early, earlyData) = await ledger.Audit.InclusionProofAsync(3, 0, default);
        Assert.True(early.Verify(MerkleHash.Leaf(earlyData), first.Checkpoint.RootHash.Span));
        await Assert.ThrowsAsync<InvalidInputException>(() => ledger.Audit.InclusionProofAsync(12, 0, default));

        var (from, to, consistency) = await ledger.Audit.ConsistencyProofAsync(0, 1, default);
        Assert.True(consistency.Verify(from.Checkpoint.RootHash.Span, to.Checkpoint.RootHash.Span));
        Assert.False(consistency.Verify(to.Checkpoint.RootHash.Span, from.Checkpoint.RootHash.Span));
    }

    [Fact]
    public async Task Long_texts_are_kept_whole_beside_the_log_under_the_digest_their_record_carries()
    {
        var store = NewStore();
        using var signer = Signer();
        await using var ledger = store.Open(Options(signer));
        // Issue 15 item 8: a 25-address allow-list's diff committed and its record was then refused.
        var allowList = string.Join(", ", Enumerable.Range(1, 25).Select(i => $"\"{Evm((byte)i)}\""));
        var policy = PolicyText().Replace("\"eth\": { ", $"\"eth\": {{ \"allowList\": [{allowList}], ", StringComparison.Ordinal);
        var published = await ledger.Policy.PublishAsync(PolicyScope.Wallet("w1"), policy, "admin", null, default);
        var reason = string.Concat(Enumerable.Repeat("€", 400));
        await ledger.Policy.FreezeAsync(PolicyScope.Wallet("w1"), "admin", reason, default);

        var records = await ledger.Audit.QueryAsync(new AuditQuery { WalletId = "w1" }, default);
        Assert.Equal([AuditActions.PolicyPublished, AuditActions.Frozen], records.Select(r => r.Action));
        foreach (var (record, key, text) in new[] { (records[0], "diff", published.Diff), (records[1], "reason", reason) })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Assert.True(bytes.Length > 512);
            var digest = Convert.ToHexStringLower(SHA256.HashData(bytes));
            Assert.Equal(digest, record.Details[key + "_sha256"]);
            Assert.Equal(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), record.Details[key + "_bytes"]);
            Assert.Equal(text, store.Scalar<string>("SELECT text FROM audit_texts WHERE digest = @d", ("@d", digest)));
        }
        Assert.Equal(reason, (await ledger.Policy.GetFreezeAsync(PolicyScope.Wallet("w1"), default))!.Reason);
        await ledger.Audit.CheckpointAsync();
        Assert.True((await ledger.Audit.VerifyAsync(Key(signer), null, default)).IsVerified());
    }

    [Fact]
    public async Task A_lone_surrogate_in_a_reason_is_refused_with_nothing_written()
    {
        var store = NewStore();
        await using var ledger = store.Open(Options());
        await ledger.Audit.AppendAsync(Record());
        await Assert.ThrowsAsync<InvalidInputException>(() => ledger.Policy.FreezeAsync(PolicyScope.Global, "admin", "stop \ud800 now", default));
        Assert.Null(await ledger.Policy.GetFreezeAsync(PolicyScope.Global, default));
        Assert.Equal(1, ledger.Audit.Size);
        Assert.Equal(1L, store.Scalar<long>("SELECT count(*) FROM audit_records"));
        Assert.Equal(0L, store.Scalar<long>("SELECT count(*) FROM policy_freezes"));
    }

    [Fact]
    public async Task Two_processes_append_to_one_log_without_gaps_and_each_frontier_catches_up()
    {
        var store = NewStore();
        using var signer = Signer();
        await using var a = store.Open(Options(signer));
        await using var b = store.Open(Options(signer));
        for (var i = 0; i < 10; i++) await a.Audit.AppendAsync(Record(principal: "a"));
        Assert.Equal(10, (await b.Audit.AppendAsync(Record(principal: "b"))).Sequence);
        Assert.Equal(11, b.Audit.Size);
        Assert.Equal(11, (await a.Audit.AppendAsync(Record(principal: "a"))).Sequence);

        var receipts = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(async () =>
        {
            var ledger = i % 2 == 0 ? a : b;
            var receipt = await ledger.Audit.AppendAsync(Record(principal: i % 2 == 0 ? "a" : "b"));
            if (i % 10 == 0) await ledger.Audit.CheckpointAsync();
            return receipt;
        })));
        Assert.Equal(Enumerable.Range(12, 40).Select(i => (long)i), receipts.Select(r => r.Sequence).Order());
        // One record per transaction from each at once: each batch waits for the other's head, none collides.
        var loops = await Task.WhenAll(new[] { a, b }.Select(ledger => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var i = 0; i < 30; i++) mine.Add((await ledger.Audit.AppendAsync(Record())).Sequence);
            return mine;
        })));
        Assert.Equal(Enumerable.Range(52, 60).Select(i => (long)i), loops.SelectMany(l => l).Order());
        await a.Audit.CheckpointAsync();
        await b.Audit.CheckpointAsync();
        var checkpoints = await a.Audit.CheckpointsAsync(default);
        Assert.Equal(Enumerable.Range(0, checkpoints.Count).Select(i => (long)i), checkpoints.Select(c => c.Index));
        Assert.True(checkpoints.Zip(checkpoints.Skip(1)).All(p => p.First.Checkpoint.Size < p.Second.Checkpoint.Size), "checkpoint sizes only grow, none twice");
        Assert.Equal(112, checkpoints[^1].Checkpoint.Size);
        Assert.True((await b.Audit.VerifyAsync(Key(signer), null, default)).IsVerified());
    }

    [Fact]
    public async Task Each_process_counts_the_log_fully_signed_from_when_it_sees_every_record_it_knows_under_a_checkpoint()
    {
        var store = NewStore();
        using var signer = Signer();
        var clock = new ManualClock(Start);
        await using var a = store.Open(Options(signer, clock));
        await using var b = store.Open(Options(signer, clock));
        Assert.Equal((Start, Start), (a.Audit.FullySignedAt, b.Audit.FullySignedAt)); // since opening
        await b.Audit.AppendAsync(Record());
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, (await a.Audit.CheckpointAsync())!.Checkpoint.Size);
        Assert.Equal((Start.AddMinutes(1), Start), (a.Audit.FullySignedAt, b.Audit.FullySignedAt));
        // b sees a's checkpoint over its record: fully signed from now, though b signed nothing.
        clock.Advance(TimeSpan.FromMinutes(1));
        await b.Audit.CheckpointAsync();
        Assert.Equal(Start.AddMinutes(2), b.Audit.FullySignedAt);
        // A record no checkpoint covers yet moves nothing.
        await a.Audit.AppendAsync(Record());
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal((Start.AddMinutes(1), Start.AddMinutes(2)), (a.Audit.FullySignedAt, b.Audit.FullySignedAt));
    }

    [Fact]
    public async Task Under_steady_appends_a_process_that_does_not_sign_shows_lag_only_when_the_signer_falls_behind()
    {
        var store = NewStore();
        using var signer = Signer();
        var clock = new ManualClock(Start);
        await using var a = store.Open(Options(signer, clock));
        await using var b = store.Open(Options(signer, clock));
        await a.Audit.AppendAsync(Record());
        await a.Audit.CheckpointAsync(); // a signs from now on (where the engine has one signer at a time)
        for (var look = 1; look <= 3; look++)
        {
            // b always finds a record newer than the newest checkpoint, yet a covers what b knew a look before.
            await b.Audit.AppendAsync(Record());
            clock.Advance(TimeSpan.FromMinutes(1));
            await b.Audit.CheckpointAsync();
            Assert.Equal(Start.AddMinutes(look), b.Audit.FullySignedAt);
            await a.Audit.CheckpointAsync();
        }
        // a stops signing: b's next look still finds what it knew covered, the one after does not (unless b signed itself).
        await b.Audit.AppendAsync(Record());
        await b.Audit.AppendAsync(Record());
        clock.Advance(TimeSpan.FromMinutes(1));
        await b.Audit.CheckpointAsync();
        clock.Advance(TimeSpan.FromMinutes(1));
        var newest = await b.Audit.CheckpointAsync();
        Assert.Equal(newest!.Checkpoint.Size == b.Audit.Size ? Start.AddMinutes(5) : Start.AddMinutes(4), b.Audit.FullySignedAt);
    }

    /// <summary>A ledger with <see cref="Records"/> records and a checkpoint of them all.</summary>
    private static async Task<Ledger> FilledAsync(LedgerStore store, Ed25519CheckpointSigner signer)
    {
        var ledger = store.Open(Options(signer));
        for (var i = 0; i < Records; i++) await ledger.Audit.AppendAsync(Record(details: new Dictionary<string, string> { ["n"] = $"{i}" }));
        Assert.Equal(Records, (await ledger.Audit.CheckpointAsync())!.Checkpoint.Size);
        return ledger;
    }

    private static Task<byte[]> ReadRootAsync(LedgerStore store, long size)
    {
        var tree = new MerkleTreeState();
        for (long seq = 0; seq < size; seq++) tree.Append(store.Scalar<byte[]>("SELECT leaf_hash FROM audit_records WHERE seq = @seq", ("@seq", seq)));
        return Task.FromResult(tree.Root());
    }
}
