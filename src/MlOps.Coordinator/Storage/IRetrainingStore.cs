using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>
/// Retraining policies (one per model) and runs, each stored as its contract message (docs/retraining.md). A run is
/// rewritten whole at every step; its decisions only grow.
/// </summary>
public interface IRetrainingStore
{
    /// <summary>Creates or replaces the policy of <c>policy.model</c>.</summary>
    Task PutRetrainingPolicyAsync(RetrainingPolicy policy, CancellationToken cancellationToken);

    Task<RetrainingPolicy?> GetRetrainingPolicyAsync(string model, CancellationToken cancellationToken);

    /// <summary>Every policy, by model name.</summary>
    Task<IReadOnlyList<RetrainingPolicy>> ListRetrainingPoliciesAsync(CancellationToken cancellationToken);

    /// <summary>False when the model had no policy.</summary>
    Task<bool> DeleteRetrainingPolicyAsync(string model, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the run with <c>run.id</c>.</summary>
    Task PutRetrainingRunAsync(RetrainingRun run, CancellationToken cancellationToken);

    Task<RetrainingRun?> GetRetrainingRunAsync(string id, CancellationToken cancellationToken);

    /// <summary>Newest first; every model's when <paramref name="model"/> is null or empty.</summary>
    Task<IReadOnlyList<RetrainingRun>> ListRetrainingRunsAsync(string? model, int limit, CancellationToken cancellationToken);
}
