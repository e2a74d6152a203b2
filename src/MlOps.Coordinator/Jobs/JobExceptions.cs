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

/// <summary>A client-chosen job id that another submission (another owner or job name) already uses.</summary>
public sealed class JobIdTakenException(string jobId)
    : Exception($"job id '{jobId}' is already taken by another submission; leave job_id empty or choose a new one")
{
    public string JobId { get; } = jobId;
}
