using Custody.Core.Policy;

namespace Custody.Daemon.Policy;

/// <summary>
/// Admissions of this process, one at a time. Each admission is a SQLite write transaction;
/// concurrent ones would otherwise meet SQLite's busy handler, which sleeps 25–100 ms between
/// retries while the lock is free again after about one fsync. Queued here, they follow each
/// other at commit speed. Other processes on the same file still exclude each other through
/// SQLite's write lock; dry runs only read and are not queued.
/// </summary>
public sealed class SerializedSigningGate(ISigningGate inner) : ISigningGate, IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task<PolicyDecision> AdmitAsync(SigningRequest request, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await inner.AdmitAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    public Task<PolicyDecision> DryRunAsync(SigningRequest request, CancellationToken cancellationToken) => inner.DryRunAsync(request, cancellationToken);

    public async Task ReleaseAsync(SigningRequest request, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await inner.ReleaseAsync(request, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Dispose() => _turn.Dispose();
}
