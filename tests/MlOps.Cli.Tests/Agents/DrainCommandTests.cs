using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Agents;

/// <summary><c>mlops agents drain|undrain NODE</c> against the fake coordinator's ClusterService.</summary>
public sealed class DrainCommandTests : IAsyncLifetime
{
    private FakeCoordinatorForCliTests _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeCoordinatorForCliTests.StartAsync();
        _server.Cluster.Agents.Add(new AgentInfo { AgentId = "gpu-1", Host = "box", Status = AgentStatus.Connected, RunningJobIds = { "job-a" } });
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Drain_KnownAgent_SendsTheRequestAndListShowsIt()
    {
        var result = await CliRun.RunAsync("agents", "drain", "gpu-1", "--coordinator", _server.Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("drained gpu-1: no new jobs or replicas; 1 running job(s) will finish there", result.Out, StringComparison.Ordinal);
        var request = Assert.Single(_server.Cluster.DrainRequests);
        Assert.Equal(("gpu-1", true), (request.AgentId, request.Drain));

        var listed = await CliRun.RunAsync("agents", "--coordinator", _server.Address);
        Assert.Contains("CONNECTED (drained)", listed.OutLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Undrain_KnownAgent_SendsDrainFalse()
    {
        var result = await CliRun.RunAsync("agents", "undrain", "gpu-1", "--coordinator", _server.Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.False(Assert.Single(_server.Cluster.DrainRequests).Drain);
    }

    [Fact]
    public async Task Drain_UnknownAgent_ExitsThreeNamingIt()
    {
        var result = await CliRun.RunAsync("agents", "drain", "nope", "--coordinator", _server.Address);

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("agent 'nope' has never connected", result.Error, StringComparison.Ordinal);
    }
}
