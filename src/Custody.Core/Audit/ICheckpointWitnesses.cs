namespace Custody.Core.Audit;

/// <summary>
/// Witnesses outside the installation that each keep the newest checkpoint of this log they
/// accepted (DESIGN.md "Audit log"), so that whoever holds the data directory cannot roll the log
/// back or rewrite it unnoticed. The checkpointer asks before it signs and hands over every
/// checkpoint it stored; sending happens in the background, and a witness that does not answer
/// holds nothing up.
/// </summary>
public interface ICheckpointWitnesses
{
    /// <summary>
    /// Throws <see cref="AuditLogTamperedException"/> when a witness holds a checkpoint that the
    /// log no longer extends (rolled back, tail deleted, history rewritten): signing over it would
    /// launder the change. Waits, briefly, for witnesses not yet asked since the start.
    /// </summary>
    Task CheckBeforeSigningAsync();

    /// <summary>A checkpoint was signed and stored; it is sent to every witness.</summary>
    void Stored(SignedCheckpoint checkpoint);
}
