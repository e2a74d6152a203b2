using MlOps.Contracts;
using MlOps.Coordinator.Api;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;

namespace MlOps.Coordinator.Tests.Scheduling;

/// <summary>GPU health from heartbeats: shown by ListAgents, and only healthy GPUs count as capacity.</summary>
public sealed class GpuHealthSchedulingTests
{
    [Fact]
    public async Task ListAgents_AfterHeartbeatWithGpuHealth_ReturnsItAndCountsOnlyHealthyGpusFree()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("gpu-1", gpus: 2);
        await agent.SendAsync(Beat(Healthy(0, "GPU-gpu-1-0"), Unhealthy(1, "GPU-gpu-1-1", "2 uncorrected ECC error(s)")));

        var listed = Assert.Single((await coordinator.Create<ClusterGrpcService>().ListAgents(new ListAgentsRequest(), new TestServerCallContext())).Agents);

        Assert.Equal(2, listed.GpuHealth.Count);
        Assert.Equal("2 uncorrected ECC error(s)", listed.GpuHealth[1].Problem);
        Assert.Equal(1, listed.Free.Gpus);
    }

    [Fact]
    public async Task RunOnceAsync_AgentWithAnUnhealthyGpu_PlacesOnlyWhatTheHealthyOnesHoldAndSaysWhyTheRestWaits()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("gpu-1", cpuCores: 8, gpus: 2);
        await agent.SendAsync(Beat(Healthy(0, "GPU-gpu-1-0"), Unhealthy(1, "GPU-gpu-1-1", "critical Xid 79 reported by the driver")));
        var two = await coordinator.SubmitAsync(TestSpecs.Valid(name: "two", gpus: 2));
        var one = await coordinator.SubmitAsync(TestSpecs.Valid(name: "one", gpus: 1));

        Assert.Equal(1, await coordinator.ScheduleAsync());

        Assert.Equal(JobState.Queued, (await coordinator.JobAsync(two.Id)).State);
        Assert.Equal(JobState.Assigned, (await coordinator.JobAsync(one.Id)).State);
        var shown = await coordinator.Create<JobGrpcService>().GetJob(new GetJobRequest { JobId = two.Id }, new TestServerCallContext());
        Assert.Contains("unhealthy GPUs not counted: 1 on gpu-1", shown.WaitingReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunOnceAsync_AgentThatReportsNoHealth_CountsAllItsGpus()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("gpu-1", cpuCores: 8, gpus: 2);
        await agent.HeartbeatAsync();
        var job = await coordinator.SubmitAsync(TestSpecs.Valid(gpus: 2));

        Assert.Equal(1, await coordinator.ScheduleAsync());
        Assert.Equal(JobState.Assigned, (await coordinator.JobAsync(job.Id)).State);
    }

    [Fact]
    public async Task Started_WithGpuUuids_RecordsThemOnTheJob()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("gpu-1", cpuCores: 8, gpus: 2);
        var job = await coordinator.SubmitAsync(TestSpecs.Valid(gpus: 2));
        await coordinator.ScheduleAsync();

        await agent.SendAsync(new AgentMessage
        {
            Started = new JobStarted { JobId = job.Id, Attempt = 1, Pid = 7, GpuUuids = { "GPU-gpu-1-0", "GPU-gpu-1-1" } },
        });

        var started = await coordinator.JobAsync(job.Id);
        Assert.Equal(JobState.Running, started.State);
        Assert.Equal(["GPU-gpu-1-0", "GPU-gpu-1-1"], started.GpuUuids);
    }

    private static AgentMessage Beat(params GpuHealth[] gpus)
    {
        var beat = new Heartbeat();
        beat.Gpus.AddRange(gpus);
        return new AgentMessage { Heartbeat = beat };
    }

    private static GpuHealth Healthy(int index, string uuid) =>
        new() { Index = index, Uuid = uuid, MemoryUsedMb = 10, UtilizationPercent = 0, TemperatureC = 35, EccUncorrectedErrors = 0, XidErrors = 0, Healthy = true };

    private static GpuHealth Unhealthy(int index, string uuid, string problem) =>
        new() { Index = index, Uuid = uuid, MemoryUsedMb = -1, UtilizationPercent = -1, TemperatureC = -1, EccUncorrectedErrors = -1, XidErrors = -1, Problem = problem };
}
