using MlOps.Contracts;

namespace MlOps.Agent.Jobs;

/// <summary>
/// Which GPUs each running job of this agent is pinned to (through <c>CUDA_VISIBLE_DEVICES</c>, by UUID), so two jobs
/// never share a GPU. A job gets the healthy GPUs no other job holds, lowest index first. Pins live in memory only: a
/// restarted agent stops what its previous run left (<see cref="LeftoverAttempts"/>), so no pin outlives its agent.
/// </summary>
internal sealed class GpuPins
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (int Attempt, IReadOnlyList<string> Uuids)> _byJob = new(StringComparer.Ordinal);

    /// <summary>Pins <paramref name="count"/> GPUs to an attempt of <paramref name="jobId"/> (replacing what an earlier
    /// attempt of it held) and returns their UUIDs, or null and why the agent cannot.</summary>
    public (IReadOnlyList<string>? Uuids, string? Problem) Pin(string jobId, int attempt, int count, IReadOnlyList<GpuHealth> gpus)
    {
        lock (_gate)
        {
            _byJob.Remove(jobId);
            var taken = _byJob.Values.SelectMany(p => p.Uuids).ToHashSet(StringComparer.Ordinal);
            var healthy = gpus.Where(g => g.Healthy && !string.IsNullOrEmpty(g.Uuid)).ToList();
            var free = healthy.Where(g => !taken.Contains(g.Uuid)).OrderBy(g => g.Index).Take(count).Select(g => g.Uuid).ToList();
            if (free.Count < count)
            {
                return (null, $"the job needs {count} GPU(s) but this agent has {gpus.Count} GPU(s), {healthy.Count} healthy, " +
                    $"{healthy.Count(g => taken.Contains(g.Uuid))} of them pinned to other jobs (the coordinator should not have sent it here)");
            }

            _byJob[jobId] = (attempt, free);
            return (free, null);
        }
    }

    /// <summary>The GPUs pinned to <paramref name="jobId"/> (empty for none).</summary>
    public IReadOnlyList<string> Of(string jobId)
    {
        lock (_gate)
        {
            return _byJob.TryGetValue(jobId, out var pin) ? pin.Uuids : [];
        }
    }

    /// <summary>Frees the GPUs of that attempt of <paramref name="jobId"/> (a newer attempt's pins are left alone).</summary>
    public void Release(string jobId, int attempt)
    {
        lock (_gate)
        {
            if (_byJob.TryGetValue(jobId, out var held) && held.Attempt == attempt)
            {
                _byJob.Remove(jobId);
            }
        }
    }
}
