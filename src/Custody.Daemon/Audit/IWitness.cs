using Custody.Core.Audit.Witness;

namespace Custody.Daemon.Audit;

/// <summary>One witness as the daemon talks to it: an add-checkpoint call and its answer.</summary>
public interface IWitness
{
    /// <summary>The label of the witness in metrics and logs (its URL or file path).</summary>
    string Name { get; }

    /// <summary>
    /// Submits a checkpoint. The answer is the verdict and, for a conflict, the size the witness holds;
    /// a witness that cannot be reached throws (<see cref="HttpRequestException"/>, <see cref="IOException"/>, a time-out).
    /// </summary>
    Task<(WitnessVerdict Verdict, long HeldSize, string Reason)> AddCheckpointAsync(AddCheckpointRequest request, CancellationToken cancellationToken);
}
