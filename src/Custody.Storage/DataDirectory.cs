namespace Custody.Storage;

/// <summary>
/// The files of the embedded installation under one data directory, as <c>custody-admin init</c>
/// creates them and the daemon reads them (the SoftHSM token lives in hsm/, see EmbeddedSoftHsm).
/// </summary>
public sealed class DataDirectory(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Wallets, API token hashes: owner-only.</summary>
    public string Database => Path.Combine(Root, "custody.db");

    /// <summary>
    /// The policy engine's tables (versions, freezes, reservations, approvals), in their own file:
    /// every admission is a write transaction, and it must not queue behind other writers.
    /// </summary>
    public string PolicyDatabase => Path.Combine(Root, "policy.db");

    /// <summary>
    /// The audit log, in its own file so its group commits never wait for the other writers; and
    /// the stored replies, each written in the same commit as the result record it reports.
    /// </summary>
    public string AuditDatabase => Path.Combine(Root, "audit.db");

    /// <summary>The HSM key id of the Ed25519 key that signs audit checkpoints (public).</summary>
    public string AuditKeyId => Path.Combine(Root, "audit-key.id");

    /// <summary>The audit verifier key in signed-note form, for <c>custody-admin audit verify --key</c> (public).</summary>
    public string AuditVerifierKey => Path.Combine(Root, "audit.vkey");

    /// <summary>The first admin API token, mode 0600.</summary>
    public string AdminToken => Path.Combine(Root, "admin.token");

    public string Hsm => Path.Combine(Root, "hsm");

    /// <summary>The key name in signed checkpoints.</summary>
    public const string AuditKeyName = "custody-audit";
}
