using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>A real Prometheus scraping a real coordinator and agent over their metrics listeners.</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PrometheusTests
{
    [PrometheusFact]
    public async Task Scrape_CoordinatorAndAgentAfterAJob_PrometheusSeesTheSucceededJobAndBothTargetsUp()
    {
        var coordinatorMetrics = FreePort.Next();
        var agentMetrics = FreePort.Next();
        await using var cluster = new LocalCluster().WithTinyDataset();
        cluster.CoordinatorArguments.Add($"--Coordinator:MetricsListen=http://127.0.0.1:{coordinatorMetrics}");
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("a1", metricsPort: agentMetrics);
        await using var prometheus = await PrometheusServer.StartAsync(new Dictionary<string, string[]>
        {
            ["coordinator"] = [$"127.0.0.1:{coordinatorMetrics}"],
            ["agent"] = [$"127.0.0.1:{agentMetrics}"],
        });

        var submitted = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("scraped") });
        var job = await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled, TimeSpan.FromMinutes(2));
        Assert.True(job.State == JobState.Succeeded, $"job ended {job.State}: {job.FailureReason}\n{cluster.Diagnostics()}");

        await ExpectAsync(prometheus, cluster, "mlops_jobs{job=\"coordinator\",state=\"succeeded\"} >= 1");
        await ExpectAsync(prometheus, cluster, "up{job=\"agent\"} == 1");
        await ExpectAsync(prometheus, cluster, "mlops_jobs_submitted_total{job=\"coordinator\"} >= 1");
        await ExpectAsync(prometheus, cluster, "mlops_scheduler_queue_wait_seconds_count >= 1");
        await ExpectAsync(prometheus, cluster, "mlops_agents{status=\"connected\"} == 1");
        await ExpectAsync(prometheus, cluster, "mlops_coordinator_leader == 1");
        await ExpectAsync(prometheus, cluster, "mlops_node_cpu_cores{job=\"agent\"} > 0");
        await ExpectAsync(prometheus, cluster, "mlops_agent_info{agent=\"a1\"} == 1");
    }

    /// <summary>Queries until the expression returns a series (Prometheus scrapes every second).</summary>
    private static Task ExpectAsync(PrometheusServer prometheus, LocalCluster cluster, string query) =>
        Eventually.Async(
            async () => (await prometheus.QueryAsync(query)).Count > 0,
            TimeSpan.FromSeconds(30),
            () => $"Prometheus never answered '{query}' with a series.\ntargets: {prometheus.TargetsAsync().GetAwaiter().GetResult()}\n" +
                  $"prometheus:\n{prometheus.Output}\n{cluster.Diagnostics()}");
}

/// <summary>A fact skipped, with the reason, where Prometheus is not installed.</summary>
public sealed class PrometheusFactAttribute : FactAttribute
{
    public PrometheusFactAttribute()
    {
        Skip = PrometheusServer.MissingReason;
    }
}
