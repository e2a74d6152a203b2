using System.Text.Json;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;
using static MlOps.Cli.Tests.Fakes.DeploymentFixtures;

namespace MlOps.Cli.Tests.Deployments;

/// <summary><c>mlops deployments</c> and <c>mlops undeploy</c> against the fake coordinator's DeploymentService.</summary>
public sealed class DeploymentsCommandTests : IAsyncLifetime
{
    private FakeCoordinatorForCliTests _server = null!;

    public async Task InitializeAsync() => _server = await FakeCoordinatorForCliTests.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Deployments_Two_PrintsATableRowEach()
    {
        SetTwo();

        var result = await Run("deployments");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, result.OutLines.Length);
        Assert.Matches(@"^NAME\s+MODEL\s+TARGET\s+REVISION\s+PHASE\s+TRAFFIC\s+READY$", result.OutLines[0]);
        Assert.Matches(@"^digits\s+digits-cnn\s+v4\s+1\s+DEGRADED\s+v4 100%\s+1/2$", result.OutLines[1]);
        Assert.Matches(@"^fashion\s+fashion\s+@production\s+2\s+PROGRESSING\s+v1 100%\s+1/1$", result.OutLines[2]);
    }

    [Fact]
    public async Task Deployments_None_SaysHowToCreateOne()
    {
        var result = await Run("deployments");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.Out);
        Assert.Contains("mlops deploy MODEL", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deployments_JsonOutput_ListsEveryDeployment()
    {
        SetTwo();

        var result = await Run("deployments", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var names = json.RootElement.GetProperty("deployments").EnumerateArray().Select(d => d.GetProperty("spec").GetProperty("name").GetString());
        Assert.Equal(["digits", "fashion"], names);
    }

    [Fact]
    public async Task Undeploy_Existing_DeletesIt()
    {
        SetTwo();

        var result = await Run("undeploy", "fashion");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("fashion", Assert.Single(_server.Deployments.Deletes).Name);
        Assert.Equal("deleted deployment fashion", Assert.Single(result.OutLines));
        Assert.Null(_server.Deployments.Current("fashion"));
    }

    [Fact]
    public async Task Undeploy_UnknownDeployment_ExitsThree()
    {
        var result = await Run("undeploy", "nope");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("deployment nope not found", result.Error, StringComparison.Ordinal);
    }

    private void SetTwo()
    {
        var fashion = Deployment("fashion", "fashion", DeploymentPhase.Progressing, [Route(1, 100)],
            [Revision(1, "deploy", Route(1, 100)), Revision(2, "alias production moved to 2", Route(2, 100))],
            Replica("agent-1", "http://node-1:8001", true, 1));
        var digits = Deployment("digits", "digits-cnn", DeploymentPhase.Degraded, [Route(4, 100)], [Revision(1, "deploy", Route(4, 100))],
            Replica("agent-1", "http://node-1:8001", true, 4), Replica("agent-2", "http://node-2:8001", false));
        digits.Spec.Target = new ModelTarget { Version = 4 };
        _server.Deployments.Set(fashion);
        _server.Deployments.Set(digits);
    }

    private Task<CliResult> Run(params string[] args) => CliRun.RunAsync([.. args, "--coordinator", _server.Address]);
}
