using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Scheduling;

/// <summary>Reads the queue, the connected agents and their allocations into an immutable snapshot.</summary>
internal sealed class SnapshotSource(
    ICoordinatorStore store,
    AgentDirectory directory,
    AgentSessionRegistry sessions,
    Microsoft.Extensions.Options.IOptions<Configuration.SchedulingOptions> options,
    PreemptionTracker preemptions,
    TimeProvider time)
{
    private static readonly JobState[] Queued = [JobState.Queued];

    public async Task<SchedulingSnapshot> CaptureAsync(CancellationToken cancellationToken)
    {
        var queued = await store.ListJobsByStateAsync(Queued, cancellationToken);
        var onAgents = await store.ListJobsByStateAsync([.. JobStates.OnAgent], cancellationToken);
        var allocated = Allocations(onAgents);
        var agents = directory.All
            .Where(a => a.Status == AgentStatus.Connected && !a.Drained && sessions.Get(a.AgentId) is not null)
            .Select(a => new AgentSlot(a.AgentId, HealthyCapacity(a), allocated.GetValueOrDefault(a.AgentId))
            {
                UnhealthyGpus = directory.UnhealthyGpus(a),
                GpuModel = a.Capacity?.Gpus.FirstOrDefault()?.Model ?? "",
                GpuMemoryMb = a.Capacity is { Gpus.Count: > 0 } capacity ? capacity.Gpus.Min(g => g.MemoryMb) : 0,
            })
            .ToList();
        var now = time.GetUtcNow();
        var deferred = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var job in queued.Where(j => j.RetryNotBefore is { } notBefore && notBefore.ToDateTimeOffset() > now))
        {
            var retryAt = job.RetryNotBefore.ToDateTimeOffset();
            deferred[job.Id] = $"attempt {job.Attempt + 1} of {job.MaxAttempts} starts after {retryAt:HH:mm:ss} UTC (retry backoff after a failed attempt)";
        }

        var queue = queued
            .Where(j => !deferred.ContainsKey(j.Id))
            .Select((job, order) => new QueuedJob(job.Id, job.Spec?.Priority ?? 0, order, ResourceVector.Of(job.Spec?.Resources))
            {
                Team = Team(job),
                QueuedAt = job.CreatedAt?.ToDateTimeOffset() ?? default,
                Gpu = new GpuConstraint(job.Spec?.Resources?.GpuMemoryMb ?? 0, job.Spec?.Resources?.GpuModel ?? ""),
            })
            .ToList();
        var inUse = onAgents.Where(j => JobStates.IsOnAgent(j.State))
            .GroupBy(Team, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(j => ResourceVector.Of(j.Spec?.Resources).Gpus), StringComparer.Ordinal);
        return new SchedulingSnapshot(queue, agents)
        {
            Running = options.Value.Preemption ? Running(onAgents, agents) : [],
            Now = now,
            Deferred = deferred,
            TeamGpusInUse = inUse,
            FairShare = options.Value.FairShare(),
        };
    }

    /// <summary>The jobs preemption may stop: ASSIGNED or RUNNING on a connected agent, with the preemptions already
    /// ordered marked (a job that has not started yet cannot be preempted: its start time is unknown).</summary>
    private List<RunningJob> Running(IReadOnlyList<Job> onAgents, IReadOnlyList<AgentSlot> agents)
    {
        preemptions.Retain(onAgents.Where(j => JobStates.IsOnAgent(j.State))
            .ToDictionary(j => j.Id, j => (j.AgentId, j.Attempt), StringComparer.Ordinal));
        var connected = agents.Select(a => a.AgentId).ToHashSet(StringComparer.Ordinal);
        var running = new List<RunningJob>();
        foreach (var job in onAgents.Where(j => j.State is JobState.Assigned or JobState.Running && connected.Contains(j.AgentId)))
        {
            var ordered = preemptions.Find(job.Id, job.Attempt);
            running.Add(new RunningJob(job.Id, job.AgentId, job.Spec?.Priority ?? 0, ResourceVector.Of(job.Spec?.Resources))
            {
                Team = Team(job),
                StartedAt = job.StartedAt?.ToDateTimeOffset() ?? default,
                Preempting = ordered is not null,
                ForJobId = ordered?.ForJobId,
            });
        }

        return running;
    }

    /// <summary>What an agent offers: its capacity less the GPUs its last heartbeat reported unhealthy.</summary>
    private ResourceVector HealthyCapacity(AgentRecord agent)
    {
        var capacity = ResourceVector.Of(agent.Capacity);
        return capacity with { Gpus = Math.Max(0, capacity.Gpus - directory.UnhealthyGpus(agent)) };
    }

    /// <summary>The team a job counts against: its spec's team, else its owner.</summary>
    public static string Team(Job job) =>
        !string.IsNullOrEmpty(job.Spec?.Team) ? job.Spec.Team : job.Spec?.Owner ?? "";

    /// <summary>What the jobs on each agent hold: the sum of their requests (ASSIGNED, RUNNING, CANCELLING).</summary>
    public static Dictionary<string, ResourceVector> Allocations(IEnumerable<Job> jobsOnAgents)
    {
        var allocated = new Dictionary<string, ResourceVector>(StringComparer.Ordinal);
        foreach (var job in jobsOnAgents.Where(j => JobStates.IsOnAgent(j.State) && !string.IsNullOrEmpty(j.AgentId)))
        {
            allocated[job.AgentId] = allocated.GetValueOrDefault(job.AgentId) + ResourceVector.Of(job.Spec?.Resources);
        }

        return allocated;
    }
}
