using MlOps.Cli.Agents;
using MlOps.Cli.Jobs;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Agents;

/// <summary><c>mlops agents</c> and <c>mlops job ID</c> with GPU health and pinned GPUs.</summary>
public sealed class AgentsTableTests
{
    [Fact]
    public async Task Agents_WithAnUnhealthyGpu_ShowsTheCountInTheTableAndEverythingInJson()
    {
        await using var server = await FakeCoordinatorForCliTests.StartAsync();
        var agent = new AgentInfo
        {
            AgentId = "gpu-1",
            Host = "box",
            Status = AgentStatus.Connected,
            Capacity = new AgentCapacity { CpuCores = 8, MemoryMb = 64000, Gpus = { Gpu(0), Gpu(1) } },
            GpuHealth =
            {
                new GpuHealth { Index = 0, Uuid = "GPU-0", Healthy = true, TemperatureC = 40 },
                new GpuHealth { Index = 1, Uuid = "GPU-1", Healthy = false, EccUncorrectedErrors = 2, Problem = "2 uncorrected ECC error(s)" },
            },
        };
        server.Cluster.Agents.Add(agent);

        var table = await CliRun.RunAsync("agents", "--coordinator", server.Address);
        var json = await CliRun.RunAsync("agents", "-o", "json", "--coordinator", server.Address);

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains("2 (NVIDIA H100 80GB HBM3; 1 unhealthy)", table.OutLines[1], StringComparison.Ordinal);
        Assert.Contains("\"problem\": \"2 uncorrected ECC error(s)\"", json.Out, StringComparison.Ordinal);
        Assert.Contains("\"temperatureC\": 40", json.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Table_HealthyOrUnreportedGpus_ShowsJustCountAndModel()
    {
        var agent = new AgentInfo { AgentId = "gpu-1", Capacity = new AgentCapacity { Gpus = { Gpu(0) } } };
        using var text = new StringWriter();

        AgentsCommand.Table([agent], DateTimeOffset.UnixEpoch).Write(text, false);

        Assert.Contains("1 (NVIDIA H100 80GB HBM3)", text.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("unhealthy", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_JobPinnedToGpus_ShowsTheirUuids()
    {
        var job = new Job { Id = "j-1", Spec = new JobSpec { Name = "mlp" }, State = JobState.Running, GpuUuids = { "GPU-a", "GPU-b" } };
        using var text = new StringWriter();

        JobDetailsCommand.Describe(job).Write(text);

        Assert.Contains("GPU-a,GPU-b", text.ToString(), StringComparison.Ordinal);
    }

    private static GpuInfo Gpu(int index) => new() { Index = index, Uuid = $"GPU-{index}", Model = "NVIDIA H100 80GB HBM3", MemoryMb = 81559 };
}
