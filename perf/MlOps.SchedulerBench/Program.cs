using System.Globalization;
using MlOps.SchedulerBench;

// Placement throughput and decision latency of the scheduler's policies on a simulated cluster (issue #6 target:
// 1,000 agents with 8 GPUs, 20,000 queued jobs of mixed shapes; >= 5,000 placements/s, p99 <= 10 ms).
var options = BenchOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: MlOps.SchedulerBench [--agents N] [--gpus-per-agent N] [--jobs N] [--seed N] [--arrivals N] [--policies best-fit/v1,best-fit/v2,fair-share/v2,fair-share/v2+preemption]");
    return 2;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{options.Agents:N0} agents x {options.GpusPerAgent} GPUs, {options.Jobs:N0} queued jobs (seed {options.Seed}), {Environment.ProcessorCount} cores, .NET {Environment.Version}"));
foreach (var (name, policy) in options.Policies())
{
    Simulation.Run(policy, options, preemption: name == BenchOptions.PreemptingFairShare);
}

return 0;
