namespace Custody.Core.Policy;

/// <summary>
/// The seam between the signing pipeline and the policy: decides a request and,
/// when it is allowed, atomically reserves what the decision depends on (velocity
/// budget, the replay keys that conflict protection remembers) before any signature
/// exists. Implementations: the built-in default and the policy engine.
/// </summary>
public interface ISigningGate
{
    Task<PolicyDecision> AdmitAsync(SigningRequest request, CancellationToken cancellationToken);

    /// <summary>The same decision without reserving anything: the dry-run.</summary>
    Task<PolicyDecision> DryRunAsync(SigningRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Gives back what <see cref="AdmitAsync"/> reserved for this request (velocity budget,
    /// replay keys) when no signature was made after all — the HSM failed, the process was
    /// told to stop. Never call it once a signature exists. Idempotent.
    /// </summary>
    Task ReleaseAsync(SigningRequest request, CancellationToken cancellationToken) => Task.CompletedTask;
}
