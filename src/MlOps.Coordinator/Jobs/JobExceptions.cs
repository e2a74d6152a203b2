using MlOps.Contracts;

namespace MlOps.Coordinator.Jobs;

/// <summary>No job has this id.</summary>
public sealed class JobNotFoundException(string jobId) : Exception($"job '{jobId}' not found")
{
    public string JobId { get; } = jobId;
}

/// <summary>The job has already finished (SUCCEEDED, FAILED or CANCELLED), so it cannot be changed.</summary>
public sealed class JobFinishedException(Job job) : Exception($"job '{job.Id}' has already finished: {job.State}")
{
    public Job Job { get; } = job;
}
