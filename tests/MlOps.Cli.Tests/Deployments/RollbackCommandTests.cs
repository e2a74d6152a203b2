using Microsoft.Extensions.Time.Testing;
using MlOps.Cli.Deployments;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;
using static MlOps.Cli.Tests.Fakes.DeploymentFixtures;

namespace MlOps.Cli.Tests.Deployments;

/// <summary><c>mlops rollback</c> against the fake coordinator's DeploymentService.</summary>
public sealed class RollbackCommandTests : IAsyncLifetime
{
    private FakeCoordinatorForCliTests _server = null!;

    public async Task InitializeAsync() => _server = await FakeCoordinatorForCliTests.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Rollback_ToRevision_SendsItAndReportsTheNewRevision()
    {
        SetThreeRevisions();

        var result = await Run("rollback", "fashion", "--to-revision", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(_server.Deployments.Rollbacks);
        Assert.Equal(("fashion", 1), (request.Name, request.ToRevision));
        Assert.Contains("deployment fashion: revision 4 (rollback to revision 1) serves v1 100%", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_WithoutRevision_AsksForThePreviousOne()
    {
        SetThreeRevisions();

        var result = await Run("rollback", "fashion");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(0, Assert.Single(_server.Deployments.Rollbacks).ToRevision);
        Assert.Contains("revision 4 (rollback to revision 2) serves v2 100%", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_NoEarlierRevision_ExitsFiveWithTheCoordinatorsMessage()
    {
        _server.Deployments.Set(Deployment("fashion", "fashion", DeploymentPhase.Available, [Route(1, 100)], [Revision(1, "deploy", Route(1, 100))]));

        var result = await Run("rollback", "fashion");

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Contains("has no earlier revision", result.Error, StringComparison.Ordinal);
        Assert.Contains("FAILED_PRECONDITION", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_UnknownDeployment_ExitsThree()
    {
        var result = await Run("rollback", "nope", "--to-revision", "1");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("deployment nope not found", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_Wait_ExitsZeroOnceTheOldVersionsServeAgain()
    {
        SetThreeRevisions();
        var history = new[]
        {
            Revision(1, "deploy", Route(1, 100)), Revision(2, "deploy", Route(2, 100)), Revision(3, "deploy", Route(3, 100)),
            Revision(4, "rollback to revision 1", Route(1, 100)),
        };
        _server.Deployments.Then(
            Deployment("fashion", "fashion", DeploymentPhase.Progressing, [Route(3, 100)], history),
            Deployment("fashion", "fashion", DeploymentPhase.Available, [Route(1, 100)], history));

        var result = await CliRun.RunWithClockAsync(new FakeTimeProvider(), RolloutWait.PollInterval,
            "rollback", "fashion", "--to-revision", "1", "--wait", "--coordinator", _server.Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("revision 4: AVAILABLE", result.Error, StringComparison.Ordinal);
    }

    private void SetThreeRevisions() => _server.Deployments.Set(Deployment("fashion", "fashion", DeploymentPhase.Available, [Route(3, 100)],
        [Revision(1, "deploy", Route(1, 100)), Revision(2, "deploy", Route(2, 100)), Revision(3, "deploy", Route(3, 100))]));

    private Task<CliResult> Run(params string[] args) => CliRun.RunAsync([.. args, "--coordinator", _server.Address]);
}
