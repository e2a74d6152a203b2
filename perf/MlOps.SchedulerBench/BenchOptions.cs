using System.Globalization;
using MlOps.Coordinator.Scheduling;

namespace MlOps.SchedulerBench;

/// <summary>Flags of the scheduler benchmark, with the scenario as defaults.</summary>
internal sealed record BenchOptions(int Agents, int GpusPerAgent, int Jobs, int Seed, int Arrivals, string[] PolicyNames)
{
    public static BenchOptions? Parse(string[] args)
    {
        var o = new BenchOptions(1_000, 8, 20_000, 1, 2_000, ["best-fit/v1", "best-fit/v2", "fair-share/v2", PreemptingFairShare]);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            o = args[i] switch
            {
                "--agents" => o with { Agents = Int() },
                "--gpus-per-agent" => o with { GpusPerAgent = Int() },
                "--jobs" => o with { Jobs = Int() },
                "--seed" => o with { Seed = Int() },
                "--arrivals" => o with { Arrivals = Int() },
                "--policies" => o with { PolicyNames = Next().Split(',') },
                _ => null,
            };
            if (o is null)
            {
                return null;
            }
        }

        return o;
    }

    /// <summary>fair-share/v2 with preemption on (no minimum run time): the simulation passes the running jobs and
    /// applies the preemptions the plans order, requeueing their victims.</summary>
    public const string PreemptingFairShare = "fair-share/v2+preemption";

    public IEnumerable<(string Name, IPlacementPolicy Policy)> Policies() => PolicyNames.Select(name => (name, name switch
    {
        "best-fit/v1" => (IPlacementPolicy)new BestFitPlacementPolicy(),
        "best-fit/v2" => new IndexedBestFitPlacementPolicy(),
        "fair-share/v2" or "fair-share" or PreemptingFairShare => new FairSharePlacementPolicy(),
        _ => throw new ArgumentException($"unknown policy '{name}' (best-fit/v1, best-fit/v2, fair-share/v2, {PreemptingFairShare})"),
    }));
}
