using MlOps.Contracts;

namespace MlOps.Coordinator.Jobs;

/// <summary>Groups of job states that the coordinator reasons about.</summary>
public static class JobStates
{
    /// <summary>States in which a job holds resources on an agent.</summary>
    public static IReadOnlyList<JobState> OnAgent { get; } = [JobState.Assigned, JobState.Running, JobState.Cancelling];

    /// <summary>States a job never leaves.</summary>
    public static IReadOnlyList<JobState> Terminal { get; } = [JobState.Succeeded, JobState.Failed, JobState.Cancelled];

    public static bool IsTerminal(JobState state) => state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;

    public static bool IsOnAgent(JobState state) => state is JobState.Assigned or JobState.Running or JobState.Cancelling;
}
