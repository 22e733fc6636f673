using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Custody.Core.Audit;
using Custody.Core.Audit.Notes;
using Custody.Core.Chains;
using Custody.Core.Chains.Bitcoin;
using Custody.Core.Chains.Evm;
using Custody.Core.Crypto;
using Custody.Core.Ledger;
using Custody.Core.Policy;

namespace Custody.Storage.Tests.Contract;

/// <summary>A clock the tests move by hand; safe to read from many threads.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long _ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}

/// <summary>What the contract tests build requests, commits and policies from.</summary>
public static class LedgerKit
{
    public static readonly DateTimeOffset Start = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);

    /// <summary>A checkpoint signer with a fixed seed: the audit key without an HSM.</summary>
    public static Ed25519CheckpointSigner Signer(string seed = "contract") => new("custody.test/audit", Hashes.Sha256(Encoding.UTF8.GetBytes(seed)));

    public static NoteVerifierKey Key(ICheckpointSigner signer) => NoteVerifierKey.For(signer);

    public static LedgerOptions Options(ICheckpointSigner? signer = null, TimeProvider? time = null) => new()
    {
        CheckpointSigner = signer,
        CheckpointInterval = TimeSpan.Zero, // the tests ask for checkpoints when they want them
        Time = time ?? TimeProvider.System,
    };

    public static AuditRecord Record(string action = "test.event", string principal = "tester", string? wallet = null,
        IReadOnlyDictionary<string, string>? details = null) =>
        new() { Principal = principal, Action = action, WalletId = wallet, Details = details ?? new Dictionary<string, string>() };

    /// <param name="approvers">The approval rules' approvers (2 of them required).</param>
    public static string PolicyText(string ethNative = """{ "velocity": [ { "window": "1h", "maxAmount": "1000" } ] }""",
        bool allowReplacement = true, string btcNative = "{}", string approvers = "\"alice\", \"bob\", \"carol\", \"svc\"", bool btcReplacement = false) => $$"""
        {
          "schema": "custody-policy/v1",
          "principals": ["svc"],
          "approvals": { "required": 2, "approvers": [{{approvers}}], "expiry": "1h" },
          "chains": {
            "eth": { "allowReplacement": {{(allowReplacement ? "true" : "false")}}, "assets": { "native": {{ethNative}} } },
            "btc": { "allowReplacement": {{(btcReplacement ? "true" : "false")}}, "assets": { "native": {{btcNative}} } }
          }
        }
        """;

    public static string Evm(byte n) => EvmAddress.ToChecksumText(Enumerable.Repeat(n, 20).ToArray());

    public static string Btc(byte n) =>
        BitcoinAddress.TryFromScriptPubKey(BitcoinScript.P2wpkh(Enumerable.Repeat(n, 20).ToArray()), BitcoinNetwork.Mainnet, out var a)
            ? a : throw new InvalidOperationException();

    /// <summary>An EVM transfer from the wallet's one sender: its replay key is the nonce.</summary>
    public static TransactionIntent Eth(string to, BigInteger amount, long nonce, BigInteger? fee = null) =>
        new(ChainRegistry.Get("eth"), [], [new IntentOutput(to, "native", amount, false)], fee ?? 21_000, null, [$"1/{nonce}"], []);

    /// <summary>A Bitcoin spend of <paramref name="outpoints"/>, each claiming <paramref name="claim"/> about the output it spends.</summary>
    public static TransactionIntent BtcSpend(IReadOnlyList<string> outpoints, IntentOutput[] outputs, string claim = "10000:0014aa", BigInteger? fee = null) =>
        new(ChainRegistry.Get("btc"), [], outputs, fee ?? 1_000, null, outpoints, []) { ReplayClaims = outpoints.ToDictionary(o => o, _ => ReplayClaim.Parse(claim), StringComparer.Ordinal) };

    public static string Outpoint(int n) => $"{n:x64}:0";

    /// <summary>A request whose payload digest is derived from the intent, as the daemon's is from the payload bytes.</summary>
    public static SigningRequest Request(TransactionIntent? intent, string requestId, string chain = "eth", string principal = "svc",
        string wallet = "w1", DateTimeOffset? at = null, string? payload = null) =>
        new(requestId, principal, wallet, ChainRegistry.Get(chain), intent,
            payload ?? Convert.ToHexStringLower(Hashes.Sha256(Encoding.UTF8.GetBytes(intent is null ? requestId : IntentJson.Write(intent)))),
            at ?? Start);

    /// <summary>What the daemon's fingerprint is: SHA-256 of the API request; here of the request's identity.</summary>
    public static byte[] Fingerprint(SigningRequest request) => SHA256.HashData(Encoding.UTF8.GetBytes(RequestDigest.Compute(request)));

    public static AuditRecord SignRecord(SigningRequest request) => new()
    {
        Principal = request.Principal,
        Action = AuditActions.SignTransaction,
        WalletId = request.WalletId,
        Chain = request.Chain.Id,
        RequestDigest = Convert.FromHexString(request.PayloadDigest),
        Details = new Dictionary<string, string> { ["request_id"] = request.RequestId },
    };

    /// <summary>A signature made for <paramref name="request"/>; its reply quotes the receipt, as the daemon's does.</summary>
    public static SigningCommit Signed(SigningRequest request, byte[]? fingerprint = null)
    {
        var result = SHA256.HashData(Encoding.UTF8.GetBytes("signed:" + request.PayloadDigest));
        return SigningCommit.Signature(request, fingerprint ?? Fingerprint(request), SignRecord(request) with { ResultDigest = result },
            new SignedResult("tx-" + request.RequestId, result, (receipt, decision) =>
                Encoding.UTF8.GetBytes($"reply {request.RequestId} seq {receipt.Sequence} {decision.Outcome}")));
    }

    public static SigningCommit Refused(SigningRequest request, PolicyDecision decision) =>
        SigningCommit.Refusal(request, Fingerprint(request), SignRecord(request), decision);

    /// <summary>An approver's Ed25519 key, derived from its name.</summary>
    public static (ApproverKey Key, byte[] Seed) Approver(string id)
    {
        var seed = Hashes.Sha256(Encoding.UTF8.GetBytes("approver:" + id));
        return (ApproverKey.Create(id, ApproverKeyAlgorithm.Ed25519, Ed25519.GetPublicKey(seed)), seed);
    }

    public static byte[] Sign(string approverId, PendingApproval pending, ApprovalVerdict verdict) =>
        Ed25519.Sign(Approver(approverId).Seed, pending.Statement(verdict).ToBytes());

    public static async Task<T> Throws<T>(Func<Task> action) where T : Exception => await Assert.ThrowsAsync<T>(action);
}
