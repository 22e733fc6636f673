namespace Custody.Storage;

/// <summary>
/// The files of an installation under one data directory, as <c>custody-admin init</c> creates them
/// and the daemon reads them: the SoftHSM token in hsm/ (see EmbeddedSoftHsm), the audit key's id and
/// verifier key, the first admin token, and, with the embedded engine, the ledger file.
/// </summary>
public sealed class DataDirectory(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The embedded ledger: one SQLite file holding everything (owner-only).</summary>
    public string Ledger => Path.Combine(Root, "custody.db");

    /// <summary>An older installation's policy engine tables, moved into <see cref="Ledger"/> at the first start.</summary>
    public string LegacyPolicyDatabase => Path.Combine(Root, "policy.db");

    /// <summary>An older installation's audit log and replies, moved into <see cref="Ledger"/> at the first start.</summary>
    public string LegacyAuditDatabase => Path.Combine(Root, "audit.db");

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
