using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Agent.Jobs;
using MlOps.Agent.Metrics;
using MlOps.Agent.Options;
using MlOps.ServiceDefaults.Metrics;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Metrics;

public sealed class AgentMetricsSourceTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-agent-metrics");

    [Fact]
    public async Task WriteAsync_IdleAgentWithOneGpu_InfoCapacityAndDcgmSeries()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new AgentOptions { Id = "node-1", DataDirectory = _temp.Path, CpuCores = 6, MemoryMb = 2048 });
        await using var supervisor = Supervisor(options);
        var gpu = new GpuReading(0, "GPU-1", "NVIDIA H100 80GB HBM3", 5, 10, 81_000, 30, 70);
        var source = new AgentMetricsSource(supervisor, options, new FakeGpuTelemetryForTests(gpu));

        var page = PrometheusText.Parse(await MetricsPage.RenderAsync([source], CancellationToken.None));

        Assert.Equal("node-1", Assert.Single(page["mlops_agent_info"].Samples).Label("agent"));
        Assert.Equal(0, Assert.Single(page["mlops_agent_running_jobs"].Samples).Value);
        Assert.Empty(page["mlops_agent_job_loss"].Samples);
        Assert.Equal(6, Assert.Single(page["mlops_node_cpu_cores"].Samples).Value);
        Assert.Equal(2048.0 * 1024 * 1024, Assert.Single(page["mlops_node_memory_bytes"].Samples).Value);
        Assert.Equal("GPU-1", Assert.Single(page["DCGM_FI_DEV_FB_FREE"].Samples).Label("UUID"));
    }

    [Fact]
    public async Task MetricsListener_AgentSource_ServesTheSamePageOverHttp11()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new AgentOptions { Id = "node-1", DataDirectory = _temp.Path });
        await using var supervisor = Supervisor(options);
        var port = FreePort.Next();
        await using var listener = new MetricsListener(
            new IPEndPoint(IPAddress.Loopback, port), [new AgentMetricsSource(supervisor, options, new FakeGpuTelemetryForTests())], NullLoggerFactory.Instance);
        await listener.StartAsync(CancellationToken.None);
        using var http = new HttpClient();

        var page = PrometheusText.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/metrics"));
        using var other = await http.GetAsync($"http://127.0.0.1:{port}/");

        Assert.Equal($"http://127.0.0.1:{port}", listener.Address);
        Assert.Contains("mlops_node_cpu_cores", page.Keys);
        Assert.DoesNotContain("DCGM_FI_DEV_GPU_UTIL", page.Keys);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        await listener.StopAsync(CancellationToken.None);
    }

    public void Dispose() => _temp.Dispose();

    private JobSupervisor Supervisor(Microsoft.Extensions.Options.IOptions<AgentOptions> options) =>
        new(new MlOps.Agent.Tests.Jobs.RecordingOutbox(), options, MlOps.Artifacts.Configuration.ArtifactStoreFactory.CreateLayout(_temp.Combine("store")),
            new AttemptLedger(_temp.Path, TimeProvider.System, NullLogger<AttemptLedger>.Instance), TimeProvider.System, NullLogger<JobSupervisor>.Instance);
}
