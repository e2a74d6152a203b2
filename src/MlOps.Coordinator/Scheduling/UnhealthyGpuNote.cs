using System.Globalization;

namespace MlOps.Coordinator.Scheduling;

/// <summary>
/// Adds to the waiting reason of every queued GPU job that GPUs exist but are out of service, naming the agents, so
/// that "waiting for 2 GPUs" on a cluster that has them is explained. The placement policies see only healthy GPUs
/// (<see cref="AgentSlot.Capacity"/>); this note is all they leave unsaid.
/// </summary>
internal static class UnhealthyGpuNote
{
    private const int MaxAgentsNamed = 3;

    public static Dictionary<string, string> Annotate(SchedulingSnapshot snapshot, IReadOnlyDictionary<string, string> waiting)
    {
        var result = new Dictionary<string, string>(waiting, StringComparer.Ordinal);
        var sick = snapshot.Agents.Where(a => a.UnhealthyGpus > 0).OrderBy(a => a.AgentId, StringComparer.Ordinal).ToList();
        if (sick.Count == 0)
        {
            return result;
        }

        var named = string.Join(", ", sick.Take(MaxAgentsNamed).Select(a => $"{a.UnhealthyGpus.ToString(CultureInfo.InvariantCulture)} on {a.AgentId}"));
        var more = sick.Count > MaxAgentsNamed ? $" and {(sick.Count - MaxAgentsNamed).ToString(CultureInfo.InvariantCulture)} more agent(s)" : "";
        var note = $"; unhealthy GPUs not counted: {named}{more}";
        foreach (var job in snapshot.Queue.Where(j => j.Request.Gpus > 0))
        {
            if (result.TryGetValue(job.JobId, out var reason))
            {
                result[job.JobId] = reason + note;
            }
        }

        return result;
    }
}
