using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Custody.Core.Crypto;
using Custody.Core.Hd;
using Custody.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Custody.Daemon.Tests;

/// <summary>
/// The holes issue 15 found by attacking a live daemon through its public API, each replayed as the
/// attacker did it. Written against the API alone, so each also runs (and fails) on the code before the fix.
/// </summary>
[Collection(DaemonCollection.Name)]
public class AdversarialPolicyTests(DaemonFixture daemon) : LoggedTest(daemon.Logs)
{
    private const string Friend = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";

    private Metadata Admin => DaemonFixture.Bearer(daemon.AdminToken);

    private Metadata Signer => DaemonFixture.Bearer(daemon.SignerToken);

    private Metadata Auditor => DaemonFixture.Bearer(daemon.AuditorToken);

    private static string Id() => "adv-" + Guid.NewGuid().ToString("N");

    private async Task<string> WalletAsync(string name, string chains, string extra = "")
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = name, Kind = V1.WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        await daemon.Policy.SetPolicyAsync(new SetPolicyRequest
        {
            WalletId = wallet.WalletId,
            Document = $$"""{ "schema": "custody-policy/v1", "principals": ["signer-1"], {{extra}} "chains": { {{chains}} } }""",
        }, Admin);
        return wallet.WalletId;
    }

    private Task<SignTransactionResponse> SignAsync(string walletId, string chain, string payload, uint index = 0) =>
        daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = Id(), WalletId = walletId, Chain = chain, Payload = payload, Signer = index == 0 ? null : new V1.Signer { Index = index },
        }, Signer).ResponseAsync;

    private async Task<PsbtSpend> BitcoinKeyAsync(string walletId)
    {
        var wallet = await daemon.Wallets.GetWalletAsync(new GetWalletRequest { WalletId = walletId }, Admin);
        var address = await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = walletId, Chain = "btc", Index = 0 }, Signer);
        return new PsbtSpend(uint.Parse(wallet.MasterFingerprint, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
            KeyPath.Parse(address.DerivationPath), Convert.FromHexString(address.PublicKey));
    }

    /// <summary>Item 1: the same payload under other signer paths is three transactions from three senders; velocity counts each.</summary>
    [Fact]
    public async Task Item01_the_same_payload_signed_by_other_keys_counts_against_velocity()
    {
        var wallet = await WalletAsync("adv-1", """
            "eth": { "assets": { "native": { "maxPerTransaction": "100000000000000000", "velocity": [ { "window": "1h", "maxCount": 1 } ] } } }
            """);
        var payload = EvmPayloads.Eip1559(0);
        await SignAsync(wallet, "eth", payload, index: 0);
        foreach (var index in new uint[] { 1, 2 })
        {
            var refused = await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED", () => SignAsync(wallet, "eth", payload, index));
            Assert.Equal("velocity", refused.Metadata["rule"]);
        }
    }

    /// <summary>Item 2: a "fee bump" signed by another key does not conflict with the original on chain, so it is no replacement.</summary>
    [Fact]
    public async Task Item02_a_fee_bump_by_another_sender_is_a_second_transaction_not_a_replacement()
    {
        var wallet = await WalletAsync("adv-2", """
            "eth": { "allowReplacement": true, "assets": { "native": { "velocity": [ { "window": "1h", "maxCount": 1 } ] } } }
            """);
        await SignAsync(wallet, "eth", EvmPayloads.Eip1559(5), index: 0);
        // The same sender's bump is a replacement (only one can confirm) ...
        await SignAsync(wallet, "eth", EvmPayloads.Eip1559(5, maxFeePerGas: 40_000_000_000), index: 0);
        // ... another sender's is not.
        var refused = await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED",
            () => SignAsync(wallet, "eth", EvmPayloads.Eip1559(5, maxFeePerGas: 50_000_000_000), index: 1));
        Assert.Equal("velocity", refused.Metadata["rule"]);
    }

    /// <summary>Item 3: A ← B ← C where C shares no input with A: A and C could both confirm, so C may not replace B.</summary>
    [Fact]
    public async Task Item03_a_replacement_must_conflict_with_every_transaction_it_would_supersede()
    {
        var wallet = await WalletAsync("adv-3", """
            "btc": { "allowReplacement": true, "assets": { "native": { "velocity": [ { "window": "1h", "maxCount": 1 } ] } } }
            """);
        var key = await BitcoinKeyAsync(wallet);
        var funding = key.Funding(100_000, 100_000, 100_000);
        (byte[], long)[] pay = [(PsbtSpend.To(Friend), 90_000)];
        await SignAsync(wallet, "btc", key.Spend(funding, [(0, 100_000)], pay));                 // A: O0
        await SignAsync(wallet, "btc", key.Spend(funding, [(0, 100_000), (1, 100_000)], pay));   // B: O0 + O1, replaces A
        var refused = await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED",
            () => SignAsync(wallet, "btc", key.Spend(funding, [(1, 100_000), (2, 100_000)], pay))); // C: O1 + O2
        Assert.Equal("conflict", refused.Metadata["rule"]);
    }

    /// <summary>
    /// Item 4: two PSBTs for the same inputs and outputs, each understating another input's value (witness_utxo
    /// alone), each showing a 1,000 sat fee: one signature from each would make a transaction paying 50,000.
    /// By default requireFullPrevTx refuses both; with it off, the conflict rule's replay claims still do.
    /// </summary>
    [Fact]
    public async Task Item04_a_replacement_claiming_other_values_for_the_same_outpoints_is_refused()
    {
        var guarded = await WalletAsync("adv-4-default", """
            "btc": { "allowReplacement": true, "maxFee": "2000", "assets": { "native": {} } }
            """);
        var guardedKey = await BitcoinKeyAsync(guarded);
        var guardedFunding = guardedKey.Funding(100_000, 100_000);
        var byDefault = await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED",
            () => SignAsync(guarded, "btc", guardedKey.Spend(guardedFunding, [(0, 100_000), (1, 51_000)], [(PsbtSpend.To(Friend), 150_000)], fullPrevious: false)));
        Assert.Equal("full-prev-tx", byDefault.Metadata["rule"]);

        var wallet = await WalletAsync("adv-4", """
            "btc": { "allowReplacement": true, "maxFee": "2000", "requireFullPrevTx": false, "assets": { "native": {} } }
            """);
        var key = await BitcoinKeyAsync(wallet);
        var funding = key.Funding(100_000, 100_000);
        (byte[], long)[] pay = [(PsbtSpend.To(Friend), 150_000)];
        await SignAsync(wallet, "btc", key.Spend(funding, [(0, 100_000), (1, 51_000)], pay, fullPrevious: false));
        var refused = await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED",
            () => SignAsync(wallet, "btc", key.Spend(funding, [(0, 51_000), (1, 100_000)], pay, fullPrevious: false)));
        Assert.Equal("conflict", refused.Metadata["rule"]);
    }

    /// <summary>Item 5: an allow-list never passes a destination it cannot name, whatever allowUnresolvedDestinations says.</summary>
    [Fact]
    public async Task Item05_an_allow_list_refuses_an_unresolved_destination()
    {
        var wallet = await WalletAsync("adv-5", $$"""
            "btc": { "allowUnresolvedDestinations": true, "allowNotes": ["script:*"], "allowList": ["{{Friend}}"], "assets": { "native": {} } }
            """);
        var key = await BitcoinKeyAsync(wallet);
        var stranger = Secp256k1.GetPublicKey(Hashes.Sha256("stranger"u8), compressed: true);
        byte[] p2pk = [33, .. stranger, 0xac]; // bare P2PK: no address names it
        var refused = await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED",
            () => SignAsync(wallet, "btc", key.Spend(key.Funding(100_000), [(0, 100_000)], [(p2pk, 90_000)])));
        Assert.Equal("allow-list", refused.Metadata["rule"]);
    }

    /// <summary>Item 8: a change whose texts are long commits with its audit record, never in force without one.</summary>
    [Fact]
    public async Task Item08_a_long_allow_list_and_a_long_freeze_reason_are_committed_with_their_records()
    {
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "adv-8", Kind = V1.WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        var addresses = Enumerable.Range(1, 25).Select(i => "\"" + Core.Chains.Evm.EvmAddress.ToChecksumText(Enumerable.Repeat((byte)i, 20).ToArray()) + "\"");
        var published = await daemon.Policy.SetPolicyAsync(new SetPolicyRequest
        {
            WalletId = wallet.WalletId,
            Document = $$"""{ "schema": "custody-policy/v1", "principals": ["signer-1"], "chains": { "eth": { "allowList": [{{string.Join(", ", addresses)}}], "assets": { "native": {} } } } }""",
        }, Admin);
        Assert.True(published.Changed);
        var reason = string.Concat(Enumerable.Repeat("€", 400));
        await daemon.Policy.FreezeAsync(new FreezeRequest { WalletId = wallet.WalletId, Reason = reason }, Admin);

        var records = (await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { WalletId = wallet.WalletId, Limit = 100 }, Auditor)).Records;
        var publication = Assert.Single(records, r => r.Action == "policy.published");
        Assert.Equal(published.Version.ToString(CultureInfo.InvariantCulture), publication.Details["version"]);
        // The diff is too long for a record: the record keeps its beginning and the SHA-256 of the whole.
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(published.Diff))), publication.Details["diff_sha256"]);
        var freeze = Assert.Single(records, r => r.Action == "policy.frozen");
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(reason))), freeze.Details["reason_sha256"]);
        Assert.Equal(reason, (await daemon.Policy.GetFreezeAsync(new GetFreezeRequest { WalletId = wallet.WalletId }, Admin)).Reason);
    }

    /// <summary>Item 9: approvals given under one policy version do not override a deny-list published after them.</summary>
    [Fact]
    public async Task Item09_an_approved_request_is_judged_by_the_policy_in_force_when_it_is_signed()
    {
        var alice = RandomNumberGenerator.GetBytes(32);
        var bob = RandomNumberGenerator.GetBytes(32);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        foreach (var (id, seed) in new[] { ("alice-" + suffix, alice), ("bob-" + suffix, bob) })
            await daemon.Policy.RegisterApproverAsync(new RegisterApproverRequest
            {
                ApproverId = id, Algorithm = ApproverKeyAlgorithm.Ed25519, PublicKey = ByteString.CopyFrom(Ed25519.GetPublicKey(seed)),
            }, Admin);
        var approvals = $$""" "approvals": { "required": 2, "approvers": ["alice-{{suffix}}", "bob-{{suffix}}"], "expiry": "1h" }, """;
        var wallet = await WalletAsync("adv-9", """ "eth": { "assets": { "native": { "approvalAbove": "1" } } } """, approvals);
        var request = new SignTransactionRequest { RequestId = Id(), WalletId = wallet, Chain = "eth", Payload = EvmPayloads.Eip1559(1) };
        var parked = await Errors.RefusedAsync(StatusCode.FailedPrecondition, "APPROVAL_REQUIRED", () => daemon.Signing.SignTransactionAsync(request, Signer));
        var view = await daemon.Signing.GetRequestAsync(new GetRequestRequest { RequestDigest = parked.Metadata["request_digest"] }, Admin);
        foreach (var (id, seed) in new[] { ("alice-" + suffix, alice), ("bob-" + suffix, bob) })
        {
            var token = DaemonFixture.Bearer(daemon.NewToken(id, Core.Ledger.Roles.Approver, Core.Ledger.WalletScope.All));
            await daemon.Signing.ApproveRequestAsync(new SubmitVerdictRequest
            {
                RequestDigest = view.RequestDigest, ApproverId = id, Signature = ByteString.CopyFrom(Ed25519.Sign(seed, Encoding.ASCII.GetBytes(view.ApproveStatement))),
            }, token);
        }
        // Then the recipient is deny-listed.
        await daemon.Policy.SetPolicyAsync(new SetPolicyRequest
        {
            WalletId = wallet,
            Document = $$"""{ "schema": "custody-policy/v1", "principals": ["signer-1"], {{approvals}} "chains": { "eth": { "denyList": ["{{EvmPayloads.Recipient}}"], "assets": { "native": { "approvalAbove": "1" } } } } }""",
        }, Admin);
        var refused = await Errors.RefusedAsync(StatusCode.PermissionDenied, "POLICY_DENIED", () => daemon.Signing.SignTransactionAsync(request, Signer));
        Assert.Equal("deny-list", refused.Metadata["rule"]);
    }

    /// <summary>Item 13: an HSM failure after the policy allowed is recorded; no record says "allowed" without saying how it ended.</summary>
    [Fact]
    public async Task Item13_a_signature_the_hsm_could_not_make_is_recorded_as_failed()
    {
        ExpectErrors("HSM unavailable"); // a health check that runs while the token is away says so
        var wallet = await daemon.Wallets.CreateWalletAsync(new CreateWalletRequest { Name = "adv-13", Kind = V1.WalletKind.Hd, Backup = Custody.V1.WalletBackup.NoneAcknowledged }, Admin);
        // The signer's public key is known without the HSM (the account xpub is stored): only the signature needs it.
        await daemon.Wallets.DeriveAddressAsync(new DeriveAddressRequest { WalletId = wallet.WalletId, Chain = "eth", Index = 0 }, Signer);
        var requestId = Id();
        await daemon.WithTokenAwayAsync(() => Errors.RefusedAsync(StatusCode.Unavailable, "HSM_UNAVAILABLE", () => daemon.Signing.SignTransactionAsync(new SignTransactionRequest
        {
            RequestId = requestId, WalletId = wallet.WalletId, Chain = "eth", Payload = EvmPayloads.Eip1559(3),
        }, Signer)));
        var records = (await daemon.Audit.ListRecordsAsync(new ListAuditRecordsRequest { WalletId = wallet.WalletId, Limit = 100 }, Auditor)).Records
            .Where(r => r.Details.TryGetValue("request_id", out var id) && id == requestId).ToList();
        Assert.NotEmpty(records);
        Assert.DoesNotContain(records, r => r.Decision == "Allow" && r.ResultDigest.Length == 0 && !records.Any(o => o.Sequence > r.Sequence));
        Assert.Equal("Failed", records[^1].Decision);
    }
}
