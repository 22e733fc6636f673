namespace Custody.Core.Audit;

/// <summary>
/// The actions audit records carry, in one place (as <see cref="Policy.PolicyRules"/> lists the
/// rules). A change and its record are written in one ledger transaction; the record names it here.
/// </summary>
public static class AuditActions
{
    /// <summary>One signing request's outcome: signed (with the result digest and txid), refused, parked, or failed.</summary>
    public const string SignTransaction = "sign.transaction";
    public const string SignMessage = "sign.message";

    /// <summary>A call refused before it reached a service (token, role, scope).</summary>
    public const string AuthRefused = "auth.refused";

    public const string WalletCreated = "wallet.created";
    public const string AccountXpubStored = "wallet.xpub-stored";
    public const string AddressIndexUsed = "wallet.address-index";
    public const string AccountCreated = "wallet.account-created";

    public const string TokenCreated = "token.create";
    public const string TokenRevoked = "token.revoke";

    public const string PolicyPublished = "policy.published";
    public const string Frozen = "policy.frozen";
    public const string Unfrozen = "policy.unfrozen";
    public const string ApproverRegistered = "approver.registered";
    public const string ApproverRevoked = "approver.revoked";
    public const string ApprovalRecorded = "approval.recorded";

    /// <summary>A parked request's approval window closed before it was signed (the daemon's sweep notices it).</summary>
    public const string ApprovalExpired = "approval.expired";

    /// <summary>An approver signed in to the operator console with a passkey (its signature counter moves with it).</summary>
    public const string ConsoleSignedIn = "console.signed-in";

    public const string KekRotateStart = "kek.rotate.start";
    public const string KekRotateResume = "kek.rotate.resume";
    public const string KekRotateFailed = "kek.rotate.failed";
    public const string KekRotateComplete = "kek.rotate.complete";
    public const string KekCreated = "kek.created";
    public const string KekResealed = "kek.resealed";
    public const string KekVerified = "kek.verified";
    public const string KekDestroyed = "kek.destroyed";

    public const string CeremonyGenerateStart = "ceremony.generate.start";
    public const string CeremonyGenerateComplete = "ceremony.generate.complete";
    public const string CeremonyGenerateFailed = "ceremony.generate.failed";
    public const string CeremonySeedGenerated = "ceremony.seed.generated";
    public const string CeremonyPieceWritten = "ceremony.piece.written";
    public const string CeremonyPieceShown = "ceremony.piece.shown";
    public const string CeremonyPieceConfirmed = "ceremony.piece.confirmed";
    public const string CeremonyRestoreStart = "ceremony.restore.start";
    public const string CeremonyRestoreComplete = "ceremony.restore.complete";
    public const string CeremonyRestoreFailed = "ceremony.restore.failed";
    public const string CeremonyRecorded = "key.ceremony";

    /// <summary>custody-admin init: the installation's first record.</summary>
    public const string InstallationInit = "installation.init";

    /// <summary>The one-time move of a three-file installation into one ledger.</summary>
    public const string LedgerMigrated = "ledger.migrated";
}
