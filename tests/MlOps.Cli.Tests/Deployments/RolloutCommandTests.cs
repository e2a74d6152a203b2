using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using MlOps.Cli.Deployments;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;
using static MlOps.Cli.Tests.Fakes.DeploymentFixtures;

namespace MlOps.Cli.Tests.Deployments;

/// <summary><c>mlops rollout status|history</c> against the fake coordinator's DeploymentService.</summary>
public sealed class RolloutCommandTests : IAsyncLifetime
{
    private static readonly DeploymentRevision[] TwoRevisions =
        [Revision(1, "deploy", Route(1, 100)), Revision(2, "alias production moved to 2", Route(2, 90), Route(3, 10))];

    private FakeCoordinatorForCliTests _server = null!;

    public async Task InitializeAsync() => _server = await FakeCoordinatorForCliTests.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Status_Available_PrintsPhaseTrafficAndEachReplica()
    {
        var loading = Replica("agent-2", "http://node-2:8001", false, 2);
        loading.Versions.Add(new ReplicaVersion { Version = 3, State = "LOADING", Reason = "pulling models/fashion:v3" });
        _server.Deployments.Set(Deployment("fashion", "fashion", DeploymentPhase.Available, [Route(2, 90), Route(3, 10)], TwoRevisions,
            Replica("agent-1", "http://node-1:8001", true, 2, 3), loading));

        var result = await Run("rollout", "status", "fashion");

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.OutLines;
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^deployment:\s+fashion$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^revision:\s+2$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^phase:\s+AVAILABLE$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^traffic:\s+v2 90% \+ v3 10%$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^replicas:\s+1/2 ready$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\s+agent-1:\s+ready\s+grpc http://node-1:8001\s+rest http://agent-1:8000\s+v2 READY, v3 READY$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\s+agent-2:\s+not ready\s+grpc http://node-2:8001 .*v3 LOADING \(pulling models/fashion:v3\)$"));
    }

    [Theory]
    [InlineData(DeploymentPhase.Progressing, ExitCodes.Ok)]
    [InlineData(DeploymentPhase.Degraded, ExitCodes.Ok)]
    [InlineData(DeploymentPhase.Failed, ExitCodes.JobFailed)]
    public async Task Status_Phase_ExitsOneOnlyWhenFailed(DeploymentPhase phase, int exitCode)
    {
        var deployment = Deployment("fashion", "fashion", phase, [Route(1, 100)], TwoRevisions);
        deployment.Message = "the reconciler says why";
        _server.Deployments.Set(deployment);

        var result = await Run("rollout", "status", "fashion");

        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, $@"^phase:\s+{DeploymentText.Phase(phase)}$"));
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, @"^message:\s+the reconciler says why$"));
    }

    [Fact]
    public async Task Status_Watch_ExitsZeroOnceTheNewestRevisionIsAvailable()
    {
        _server.Deployments.Set(Deployment("fashion", "fashion", DeploymentPhase.Progressing, [Route(1, 100)], TwoRevisions));
        var loading = Deployment("fashion", "fashion", DeploymentPhase.Progressing, [Route(1, 100)], TwoRevisions);
        loading.Message = "agent-1 loading v3";
        _server.Deployments.Then(loading, loading, Deployment("fashion", "fashion", DeploymentPhase.Available, [Route(2, 90), Route(3, 10)], TwoRevisions));

        var result = await RunWatching("rollout", "status", "fashion", "--watch");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("revision 2: PROGRESSING agent-1 loading v3", result.Error, StringComparison.Ordinal);
        Assert.Contains("revision 2: AVAILABLE", result.Error, StringComparison.Ordinal);
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, @"^phase:\s+AVAILABLE$"));
        Assert.True(_server.Deployments.Gets >= 3, $"{_server.Deployments.Gets} GetDeployment calls");
    }

    [Fact]
    public async Task Status_WatchRolloutFails_ExitsOne()
    {
        _server.Deployments.Set(Deployment("fashion", "fashion", DeploymentPhase.Progressing, [Route(1, 100)], TwoRevisions));
        var failed = Deployment("fashion", "fashion", DeploymentPhase.Failed, [Route(1, 100)], TwoRevisions);
        failed.Message = "v3 failed to load on agent-1: not an ONNX model";
        _server.Deployments.Then(failed);

        var result = await RunWatching("rollout", "status", "fashion", "-w");

        Assert.Equal(ExitCodes.JobFailed, result.ExitCode);
        Assert.Contains("revision 2: FAILED v3 failed to load on agent-1: not an ONNX model", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_WatchNeverSettles_GivesUpAfterTheTimeout()
    {
        _server.Deployments.Set(Deployment("fashion", "fashion", DeploymentPhase.Progressing, [Route(1, 100)], TwoRevisions));

        var result = await RunWatching("rollout", "status", "fashion", "--watch", "--timeout", "5");

        Assert.Equal(ExitCodes.JobFailed, result.ExitCode);
        Assert.Contains("gave up after 5 s", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_UnknownDeployment_ExitsThree()
    {
        var result = await Run("rollout", "status", "nope");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("deployment nope not found", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_TwoRevisions_ListsThemWithTheCurrentStarred()
    {
        _server.Deployments.Set(Deployment("fashion", "fashion", DeploymentPhase.Available, [Route(2, 90), Route(3, 10)], TwoRevisions));

        var result = await Run("rollout", "history", "fashion");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"^REVISION\s+TRAFFIC\s+CAUSE\s+CREATED$", result.OutLines[0]);
        Assert.Matches(@"^1\s+v1 100%\s+deploy\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", result.OutLines[1]);
        Assert.Matches(@"^2 \*\s+v2 90% \+ v3 10%\s+alias production moved to 2\s+\d{4}-", result.OutLines[2]);
        Assert.Equal(3, result.OutLines.Length);
    }

    private Task<CliResult> Run(params string[] args) => CliRun.RunAsync([.. args, "--coordinator", _server.Address]);

    private Task<CliResult> RunWatching(params string[] args) =>
        CliRun.RunWithClockAsync(new FakeTimeProvider(), RolloutWait.PollInterval, [.. args, "--coordinator", _server.Address]);
}
