using Custody.Core.Audit.Witness;
using Custody.Storage.Witness;

namespace Custody.Daemon.Audit;

/// <summary>A witness file on another mount (<see cref="WitnessFile"/>), the simple case: no service, same checks.</summary>
public sealed class FileWitness(WitnessFile file) : IWitness
{
    public string Name => file.Path;

    public Task<(WitnessVerdict Verdict, long HeldSize, string Reason)> AddCheckpointAsync(AddCheckpointRequest request, CancellationToken cancellationToken) =>
        Task.Run(() => file.Add(request), cancellationToken);
}
