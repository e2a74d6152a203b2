using MlOps.Contracts;
using MlOps.Coordinator.Metrics;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.ServiceDefaults.Metrics;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Metrics;

public sealed class CoordinatorMetricsSourceTests
{
    [Fact]
    public async Task WriteAsync_JobSubmittedAssignedAndSucceeded_GaugesCountersAndQueueWait()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("a1", cpuCores: 4, memoryMb: 8000, gpus: 2);
        var job = await coordinator.SubmitAsync(TestSpecs.Valid());
        coordinator.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(1, await coordinator.ScheduleAsync());
        await agent.StartedAsync(job.Id, 1);
        await agent.SendAsync(new AgentMessage
        {
            Completed = new JobCompleted { JobId = job.Id, Attempt = 1, Outcome = JobOutcome.Succeeded, Result = new JobResult() },
        });

        var page = await RenderAsync(coordinator);

        Assert.Equal(1, Value(page, "mlops_jobs", ("state", "succeeded")));
        Assert.Equal(0, Value(page, "mlops_jobs", ("state", "queued")));
        Assert.Equal(7, page["mlops_jobs"].Samples.Count);
        Assert.Equal(0, Value(page, "mlops_scheduler_queue_length"));
        Assert.Equal(1, Value(page, "mlops_jobs_submitted_total"));
        Assert.Equal(1, Value(page, "mlops_jobs_finished_total", ("outcome", "succeeded")));
        Assert.Equal(0, Value(page, "mlops_jobs_finished_total", ("outcome", "failed")));
        Assert.Equal(1, Value(page, "mlops_agents", ("status", "connected")));
        Assert.Equal(4, Value(page, "mlops_agent_cpu_cores", ("agent", "a1")));
        Assert.Equal(8000.0 * 1024 * 1024, Value(page, "mlops_agent_memory_bytes", ("agent", "a1")));
        Assert.Equal(2, Value(page, "mlops_agent_gpus", ("agent", "a1")));
        Assert.Equal(1, Value(page, "mlops_coordinator_leader"));
        Assert.Equal(0, Value(page, "mlops_scheduler_preemptions_total"));

        // Waited 3 s: not in the 2.5 s bucket, in the 5 s one.
        var wait = page["mlops_scheduler_queue_wait_seconds"];
        Assert.Equal("histogram", wait.Type);
        Assert.Equal(1, Value(page, "mlops_scheduler_queue_wait_seconds", "_count"));
        Assert.Equal(3, Value(page, "mlops_scheduler_queue_wait_seconds", "_sum"));
        Assert.Equal(0, Value(page, "mlops_scheduler_queue_wait_seconds", "_bucket", ("le", "2.5")));
        Assert.Equal(1, Value(page, "mlops_scheduler_queue_wait_seconds", "_bucket", ("le", "5")));
        Assert.Equal(1, Value(page, "mlops_scheduler_pass_duration_seconds", "_count"));
    }

    [Fact]
    public async Task WriteAsync_QueuedJobAndLostAgent_QueueCountedAndCapacityOnlyOfConnectedAgents()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var gone = await coordinator.ConnectAsync("gone", cpuCores: 2);
        await coordinator.ConnectAsync("here", cpuCores: 2);
        await coordinator.Get<MlOps.Coordinator.Agents.AgentDirectory>().SetStatusAsync("gone", AgentStatus.Lost, CancellationToken.None);
        await coordinator.SubmitAsync(TestSpecs.Valid(cpuCores: 32));
        await coordinator.ScheduleAsync();

        var page = await RenderAsync(coordinator);

        Assert.Equal(1, Value(page, "mlops_jobs", ("state", "queued")));
        Assert.Equal(1, Value(page, "mlops_scheduler_queue_length"));
        Assert.Equal(0, Value(page, "mlops_scheduler_queue_wait_seconds", "_count"));
        Assert.Equal(1, Value(page, "mlops_agents", ("status", "lost")));
        Assert.Equal(1, Value(page, "mlops_agents", ("status", "connected")));
        Assert.Equal("here", Assert.Single(page["mlops_agent_cpu_cores"].Samples).Label("agent"));
        GC.KeepAlive(gone);
    }

    [Fact]
    public async Task WriteAsync_EveryFamily_CountersEndInTotalAndUnitsAreBase()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();

        var page = await RenderAsync(coordinator);

        Assert.All(page.Values, family =>
        {
            Assert.StartsWith("mlops_", family.Name);
            Assert.Equal(family.Type == "counter", family.Name.EndsWith("_total", StringComparison.Ordinal));
            Assert.DoesNotContain("_ms", family.Name);
            Assert.DoesNotContain("_mb", family.Name);
        });
    }

    [Fact]
    public void Assigned_RetriedAttempt_NotObserved()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestCoordinator.Start);
        var metrics = new CoordinatorMetrics(time);
        var created = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(TestCoordinator.Start);
        time.Advance(TimeSpan.FromMinutes(10));

        metrics.Assigned(new Job { Attempt = 2, CreatedAt = created });
        metrics.Assigned(new Job { Attempt = 1, CreatedAt = created });

        Assert.Equal(1, metrics.QueueWait.Count);
        Assert.Equal(600_000, metrics.QueueWait.Sum);
    }

    [Fact]
    public void StateChanged_SubmissionRequeueAndTerminalStates_CountedByOutcome()
    {
        var metrics = new CoordinatorMetrics(TimeProvider.System);

        metrics.StateChanged(new StateChange { From = JobState.Unspecified, To = JobState.Queued });
        metrics.StateChanged(new StateChange { From = JobState.Running, To = JobState.Queued }); // a retry, not a submission
        metrics.StateChanged(new StateChange { From = JobState.Running, To = JobState.Failed });
        metrics.StateChanged(new StateChange { From = JobState.Queued, To = JobState.Cancelled });
        metrics.StateChanged(new StateChange { From = JobState.Running, To = JobState.Cancelled });

        Assert.Equal(1, metrics.Submitted);
        Assert.Equal([("succeeded", 0L), ("failed", 1L), ("cancelled", 2L)], metrics.Finished);
    }

    [Fact]
    public void TimePass_ClockAdvancedDuringThePass_RecordsTheElapsedTime()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestCoordinator.Start);
        var metrics = new CoordinatorMetrics(time);

        using (metrics.TimePass())
        {
            time.Advance(TimeSpan.FromMilliseconds(3));
        }

        Assert.Equal(1, metrics.PassDuration.Count);
        Assert.Equal(3_000, metrics.PassDuration.Sum);
    }

    private static async Task<IReadOnlyDictionary<string, PrometheusFamily>> RenderAsync(TestCoordinator coordinator) =>
        PrometheusText.Parse(await MetricsPage.RenderAsync(coordinator.Get<IEnumerable<IMetricsSource>>(), CancellationToken.None));

    private static double Value(IReadOnlyDictionary<string, PrometheusFamily> page, string family, params (string Name, string Value)[] labels) =>
        Value(page, family, "", labels);

    private static double Value(
        IReadOnlyDictionary<string, PrometheusFamily> page, string family, string suffix, params (string Name, string Value)[] labels) =>
        Assert.Single(page[family].Samples, s => s.Name == family + suffix && labels.All(l => s.Label(l.Name) == l.Value)).Value;
}
