using Custody.Core.Audit;
using Custody.Core.Audit.Merkle;
using Custody.Core.Audit.Notes;
using Custody.Core.Policy;

namespace Custody.Core.Ledger;

/// <summary>
/// The one store (DESIGN.md "Ledger"): wallets, tokens, policy versions, freezes, approvers,
/// approvals, reservations, stored replies and the audit log, so that one transaction covers a
/// whole signing decision and every change commits together with its audit record. Two engines
/// implement it (SQLite embedded, PostgreSQL shared) and pass one contract test suite.
/// <para>
/// Every write is group-committed: callers queue their change, and whoever holds the writer turn
/// commits everything waiting in one transaction, completing each caller after the commit is
/// durable. A change that cannot be recorded is not made: its audit record is written in the same
/// transaction or neither is. Writes are not cancellable once queued.
/// </para>
/// <para>
/// Store faults (disk full, read-only, unreachable) surface as <see cref="LedgerUnavailableException"/>;
/// bad input as <see cref="InvalidInputException"/>, with nothing written.
/// </para>
/// </summary>
public interface ILedger : IAsyncDisposable
{
    ISigningLedger Signing { get; }

    IWalletLedger Wallets { get; }

    ITokenLedger Tokens { get; }

    IPolicyLedger Policy { get; }

    IAuditLedger Audit { get; }

    /// <summary>Reads and writes once (a write that changes nothing): throws what a signature would meet.</summary>
    Task CheckAsync(CancellationToken cancellationToken);
}

/// <summary>The signing path's two touches of the store: a snapshot judgement before signing, one commit after.</summary>
public interface ISigningLedger
{
    /// <summary>The reply stored under (principal, request id), or null.</summary>
    Task<StoredReply?> FindReplyAsync(string principal, string requestId, CancellationToken cancellationToken);

    /// <summary>
    /// The policy's decision on a snapshot of the ledger; writes nothing. The signing path calls it
    /// before signing (a refusal then costs no signature) and dry runs call it alone.
    /// </summary>
    Task<PolicyDecision> JudgeAsync(SigningRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// One durable commit per request. With a signature: re-judges under the ledger's lock
    /// (freeze, velocity, conflicts, approvals, the policy in force now); when still allowed,
    /// reserves, appends one audit record with decision and result, and stores the reply; when
    /// refused, records the refusal (parking the request if it needs approvals) and the signature
    /// must be dropped. Without a signature: records the refusal or failure it carries. A reply
    /// already stored under the request id wins (<see cref="SigningOutcomeKind.Replayed"/>).
    /// </summary>
    Task<SigningOutcome> CommitAsync(SigningCommit commit);
}

public interface IWalletLedger
{
    /// <summary>Stores a new wallet, with its "wallet.created" record; <paramref name="details"/> say how it came to be.</summary>
    Task CreateAsync(WalletRecord wallet, string principal, IReadOnlyDictionary<string, string> details, CancellationToken cancellationToken);

    Task<WalletRecord?> GetAsync(string walletId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> wallets with ids after <paramref name="afterId"/>, by id.</summary>
    Task<IReadOnlyList<WalletRecord>> ListAsync(string? afterId, int limit, CancellationToken cancellationToken);

    Task<string?> GetAccountXpubAsync(string walletId, string accountPath, CancellationToken cancellationToken);

    /// <summary>Remembers an account xpub (public; the first stored wins), with its record.</summary>
    Task SaveAccountXpubAsync(string walletId, string accountPath, string xpub, string principal, CancellationToken cancellationToken);

    /// <summary>
    /// Hands out an address index on a branch: the requested one, or the lowest never handed out;
    /// either way "next unused" moves past it, with its record.
    /// </summary>
    Task<uint> UseIndexAsync(string walletId, string chain, string branchPath, uint? requested, string principal, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a descriptor account with its "wallet.account-created" record (the details say how it
    /// was defined); false, and nothing written, when the wallet already has an account of that name.
    /// </summary>
    Task<bool> CreateAccountAsync(AccountRecord account, string principal, IReadOnlyDictionary<string, string> details, CancellationToken cancellationToken);

    Task<AccountRecord?> GetAccountAsync(string walletId, string name, CancellationToken cancellationToken);

    /// <summary>The wallet's descriptor accounts, by name.</summary>
    Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(string walletId, CancellationToken cancellationToken);

    /// <summary>How many wallets there are of each kind and backup state.</summary>
    Task<IReadOnlyList<WalletCount>> CountAsync(CancellationToken cancellationToken);

    /// <summary>Every HD wallet (with its sealed seed and KEK version), by id: what a KEK rotation reseals.</summary>
    Task<IReadOnlyList<WalletRecord>> HdWalletsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Replaces sealed seeds (a KEK rotation) all at once, with one record naming the KEK and the count:
    /// false, and nothing written, when a wallet no longer holds the blob it was read with.
    /// </summary>
    Task<bool> ResealAsync(IReadOnlyList<Reseal> changes, int kekVersion, string principal, CancellationToken cancellationToken);
}

/// <summary>One wallet's seed sealed again under <see cref="ILedger"/>'s new KEK: the blob and KEK version it was read with, and the new blob.</summary>
public sealed record Reseal(string WalletId, byte[] OldBlob, int OldKekVersion, byte[] NewBlob)
{
    public override string ToString() => $"Reseal({WalletId}, from KEK v{OldKekVersion})";
}

public interface ITokenLedger
{
    /// <summary>The token whose secret hashes to <paramref name="hash"/>, revoked or not; null when none.</summary>
    Task<ApiToken?> FindByHashAsync(byte[] hash, CancellationToken cancellationToken);

    Task<IReadOnlyList<ApiToken>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Creates a token with its record; the secret exists nowhere else, so hand it over once.</summary>
    Task<(ApiToken Token, string Secret)> CreateAsync(string principal, Roles roles, WalletScope wallets, string createdBy, CancellationToken cancellationToken);

    /// <summary>Revokes a token with its record; false when there is no such token or it was revoked already.</summary>
    Task<bool> RevokeAsync(string tokenId, string revokedBy, CancellationToken cancellationToken);
}

/// <summary>Policy administration and the approvers' side. Who may call what is the caller's (the daemon's) decision.</summary>
public interface IPolicyLedger
{
    /// <summary>
    /// Validates the document (errors name the line), stores its canonical form as a new version in
    /// force from now, with a record carrying the line diff. The same canonical document again changes nothing.
    /// </summary>
    Task<PublishedPolicy> PublishAsync(PolicyScope scope, string document, string principal, string? reason, CancellationToken cancellationToken);

    /// <summary>The newest canonical document of exactly this scope, or null.</summary>
    Task<(long Version, string Document)?> GetAsync(PolicyScope scope, CancellationToken cancellationToken);

    /// <summary>Freezes a wallet or everything: every commit after this one sees it, in every process.</summary>
    Task<FreezeState> FreezeAsync(PolicyScope scope, string principal, string reason, CancellationToken cancellationToken);

    /// <summary>Lifts a freeze; false when the scope was not frozen.</summary>
    Task<bool> UnfreezeAsync(PolicyScope scope, string principal, CancellationToken cancellationToken);

    Task<FreezeState?> GetFreezeAsync(PolicyScope scope, CancellationToken cancellationToken);

    /// <summary>What an operator watches: requests waiting for approvals, wallets frozen, and whether everything is.</summary>
    Task<PolicyCounts> CountAsync(CancellationToken cancellationToken);

    /// <summary>Registers (or replaces) an approver's public key.</summary>
    Task RegisterApproverAsync(ApproverKey key, string principal, CancellationToken cancellationToken);

    /// <summary>Revokes an approver's key: its approvals stop counting, even those already given.</summary>
    Task<bool> RevokeApproverAsync(string approverId, string principal, CancellationToken cancellationToken);

    Task<PendingApproval?> GetPendingAsync(string requestDigest, CancellationToken cancellationToken);

    /// <summary>Requests waiting for approvals (not rejected, released or expired), oldest first; of one wallet, or all when null.</summary>
    Task<IReadOnlyList<PendingApproval>> ListPendingAsync(string? walletId, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Marks requests still waiting past their expiry as expired, each with its approval.expired record
    /// (nothing changes for them: after the expiry no approval counts anyway); returns how many.
    /// </summary>
    Task<int> ExpireDueAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Records an approver's verdict once its proof verifies against the approver's key over the statement
    /// (a passkey's assertion also with a signature counter above the last one recorded, which moves in
    /// the same commit); refused (with the reason) otherwise. <paramref name="principal"/> is who submitted it.
    /// </summary>
    Task<ApprovalSubmission> SubmitVerdictAsync(string requestDigest, string approverId, ApprovalVerdict verdict, ApprovalProof proof,
        string principal, CancellationToken cancellationToken);

    /// <summary>
    /// Signs an approver in with a passkey (the operator console): the assertion's credential id names the
    /// approver's registered, unrevoked passkey, it verifies over <paramref name="challenge"/>, and its signature
    /// counter rises above the last one recorded; the counter moves with a console.signed-in record in one commit.
    /// Returns the approver id, or the refusal's reason.
    /// </summary>
    Task<PasskeySignIn> SignInWithPasskeyAsync(ReadOnlyMemory<byte> credentialId, WebAuthn.WebAuthnAssertion assertion, ReadOnlyMemory<byte> challenge,
        CancellationToken cancellationToken);
}

/// <summary>The outcome of a passkey sign-in: the approver signed in, or why not (never both).</summary>
public sealed record PasskeySignIn(string? ApproverId, string? Refusal);

/// <summary>The audit log inside the ledger: RFC 6962 tree, checkpoints signed by the audit key.</summary>
public interface IAuditLedger
{
    /// <summary>Appends a record that is itself the change (a refused call, a ceremony step); completes once durable.</summary>
    Task<AuditReceipt> AppendAsync(AuditRecord record);

    /// <summary>Records committed, as this process last saw them.</summary>
    long Size { get; }

    /// <summary>Records covered by the newest checkpoint, as this process last saw it.</summary>
    long CheckpointedSize { get; }

    /// <summary>The last failure to sign a checkpoint, or null after a success.</summary>
    Exception? LastCheckpointError { get; }

    /// <summary>When this process last saw every record it knew of covered by a signed checkpoint (or opened the log).</summary>
    DateTimeOffset FullySignedAt { get; }

    /// <summary>The stored leaf hashes of records <paramref name="from"/> up to (not including) <paramref name="to"/>, in order.</summary>
    Task<IReadOnlyList<byte[]>> LeafHashesAsync(long from, long to, CancellationToken cancellationToken);

    Task<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken);

    Task<AuditRecord?> GetAsync(long sequence, CancellationToken cancellationToken);

    Task<IReadOnlyList<SignedCheckpoint>> CheckpointsAsync(CancellationToken cancellationToken);

    Task<SignedCheckpoint?> LatestCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>The proof that record <paramref name="sequence"/> is in the tree a checkpoint signed (the newest when null).</summary>
    Task<(SignedCheckpoint Checkpoint, InclusionProof Proof, byte[] RecordData)> InclusionProofAsync(long sequence, long? checkpointIndex, CancellationToken cancellationToken);

    Task<(SignedCheckpoint From, SignedCheckpoint To, ConsistencyProof Proof)> ConsistencyProofAsync(long fromIndex, long toIndex, CancellationToken cancellationToken);

    /// <summary>Replays the whole log against <paramref name="key"/> (see <see cref="AuditVerifier"/>).</summary>
    Task<AuditVerification> VerifyAsync(NoteVerifierKey key, IEnumerable<string>? anchors, CancellationToken cancellationToken);

    /// <summary>Signs a checkpoint of everything committed now, when anything is unsigned; returns the newest.</summary>
    Task<SignedCheckpoint?> CheckpointAsync();
}

/// <summary>Parked requests still waiting for approvals, wallets frozen one by one, and the global freeze.</summary>
public sealed record PolicyCounts(long ParkedWaiting, long FrozenWallets, bool GloballyFrozen);
