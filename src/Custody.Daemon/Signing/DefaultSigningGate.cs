using Custody.Core.Policy;

namespace Custody.Daemon.Signing;

/// <summary>
/// The built-in policy until an operator publishes one: sign what the daemon could decode
/// into plain transfers, refuse raw signing and undecoded contract calls. It reserves
/// nothing, so admit and dry-run are the same decision.
/// </summary>
public sealed class DefaultSigningGate : ISigningGate
{
    public const string AllowRule = "default.allow-decoded-transfers";
    public const string RawRule = "default.refuse-raw-signing";
    public const string CallRule = "default.refuse-contract-calls";

    public Task<PolicyDecision> AdmitAsync(SigningRequest request, CancellationToken cancellationToken) => Task.FromResult(Decide(request));

    public Task<PolicyDecision> DryRunAsync(SigningRequest request, CancellationToken cancellationToken) => Task.FromResult(Decide(request));

    private static PolicyDecision Decide(SigningRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Intent is null)
            return new PolicyDecision(PolicyOutcome.Deny, RawRule, "raw signing needs a policy that allows it", 0);
        if (request.Intent.Call is not null)
            return new PolicyDecision(PolicyOutcome.Deny, CallRule, "a contract call that is not a decoded transfer needs a policy that allows it", 0);
        return new PolicyDecision(PolicyOutcome.Allow, AllowRule, "decoded transfer", 0);
    }
}
