using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Agent.Inventory;
using MlOps.Agent.Jobs;
using MlOps.Agent.Options;
using MlOps.Agent.Tests.Inventory;
using MlOps.Agent.Tests.Worker;
using MlOps.Artifacts;
using MlOps.Artifacts.Configuration;
using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Jobs;

/// <summary>GPU pinning through the supervisor: <c>CUDA_VISIBLE_DEVICES</c> and <c>JobStarted.gpu_uuids</c>, with a fake NVML.</summary>
[Trait("Category", "Integration")]
public sealed class JobSupervisorGpuTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _temp = new("mlops-supervisor-gpu");
    private readonly RecordingOutbox _outbox = new();

    [Fact]
    public async Task Start_GpuJob_PinsHealthyGpusByUuidAndReportsThem()
    {
        var nvml = new FakeNvmlForTests(3);
        nvml.Samples[0] = nvml.Samples[0] with { EccUncorrected = 2 };
        await using var supervisor = Supervisor(new GpuHealthMonitor(nvml));

        supervisor.Start(EnvJob("j-gpu", gpus: 2));
        await TinyAssignments.WaitForAsync(() => _outbox.Messages.Any(m => m.Completed?.JobId == "j-gpu"), Patience);

        var started = _outbox.Messages.First(m => m.Started is not null).Started;
        Assert.Equal(["GPU-fake-1", "GPU-fake-2"], started.GpuUuids);
        Assert.Contains("CUDA_VISIBLE_DEVICES=GPU-fake-1,GPU-fake-2", _outbox.LogLines);
    }

    [Fact]
    public async Task Start_GpuJobOnAgentWithoutThem_FailsTheStartSayingWhy()
    {
        await using var supervisor = Supervisor(new GpuHealthMonitor(new FakeNvmlForTests(1)));

        supervisor.Start(EnvJob("j-big", gpus: 2));

        var completed = Assert.Single(_outbox.Messages, m => m.Completed is not null).Completed;
        Assert.Equal(JobOutcome.Failed, completed.Outcome);
        Assert.StartsWith("could not start: the job needs 2 GPU(s) but this agent has 1 GPU(s), 1 healthy", completed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_outbox.Messages, m => m.Started is not null);
    }

    public void Dispose() => _temp.Dispose();

    private static JobAssignment EnvJob(string jobId, int gpus) => new()
    {
        JobId = jobId,
        Attempt = 1,
        Spec = new JobSpec
        {
            Name = "env",
            Command = new CommandSpec { Argv = { "/usr/bin/env" } },
            Resources = new Resources { CpuCores = 1, Gpus = gpus },
        },
    };

    private JobSupervisor Supervisor(GpuHealthMonitor gpus)
    {
        var options = Microsoft.Extensions.Options.Options.Create(new AgentOptions { DataDirectory = _temp.Combine("agent") });
        var store = ArtifactStoreFactory.CreateLayout(_temp.Combine("store"));
        return new JobSupervisor(_outbox, options, store, new AttemptLedger(_temp.Combine("agent"), TimeProvider.System, NullLogger<AttemptLedger>.Instance), TimeProvider.System,
            NullLogger<JobSupervisor>.Instance, lease: null, gpus: gpus);
    }
}
