using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using MlOps.Cli.Deployments;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;
using static MlOps.Cli.Tests.Fakes.DeploymentFixtures;

namespace MlOps.Cli.Tests.Deployments;

/// <summary><c>mlops deploy</c> against the fake coordinator's DeploymentService.</summary>
public sealed class DeployCommandTests : IAsyncLifetime
{
    private FakeCoordinatorForCliTests _server = null!;

    public async Task InitializeAsync() => _server = await FakeCoordinatorForCliTests.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Deploy_AliasWithReplicasSelectorAndCanary_SendsTheWholeSpec()
    {
        _server.Deployments.Aliases["production"] = 2;

        var result = await Run("deploy", "fashion@production", "--replicas", "2", "--selector", "gpu=true", "--canary", "3", "--canary-percent", "20");

        Assert.True(result.ExitCode == 0, result.ToString());
        var expected = new DeploymentSpec
        {
            Name = "fashion",
            Model = "fashion",
            Target = new ModelTarget { Alias = "production" },
            Replicas = 2,
            Canary = new CanarySpec { Target = new ModelTarget { Version = 3 }, Percent = 20 },
        };
        expected.AgentSelector["gpu"] = "true";
        Assert.Equal(expected, Assert.Single(_server.Deployments.Deploys).Spec);
        Assert.Contains("deployment fashion: revision 1 serves v2 80% + v3 20% (created)", result.Error, StringComparison.Ordinal);
        Assert.Contains("mlops rollout status fashion --watch", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_VersionWithNameAndTwoSelectors_PinsTheVersionUnderThatName()
    {
        var result = await Run("deploy", "fashion:2", "--name", "shop", "--canary", "4", "--selector", "gpu=true", "--selector", "host=node-1");

        Assert.True(result.ExitCode == 0, result.ToString());
        var expected = new DeploymentSpec
        {
            Name = "shop",
            Model = "fashion",
            Target = new ModelTarget { Version = 2 },
            Replicas = 1,
            Canary = new CanarySpec { Target = new ModelTarget { Version = 4 }, Percent = 10 },
        };
        expected.AgentSelector["gpu"] = "true";
        expected.AgentSelector["host"] = "node-1";
        Assert.Equal(expected, Assert.Single(_server.Deployments.Deploys).Spec);
    }

    [Fact]
    public async Task Deploy_CanaryPercentWithoutCanary_UsageErrorAndNothingSent()
    {
        var result = await Run("deploy", "fashion:2", "--canary-percent", "20");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--canary-percent needs --canary", result.Error);
        Assert.Empty(_server.Deployments.Deploys);
    }

    [Fact]
    public async Task Deploy_AliasCanary_SendsTheCanaryAlias()
    {
        _server.Deployments.Aliases["staging"] = 4;

        var result = await Run("deploy", "fashion:2", "--canary", "@staging", "--canary-percent", "5");

        Assert.True(result.ExitCode == 0, result.ToString());
        var canary = Assert.Single(_server.Deployments.Deploys).Spec.Canary;
        Assert.Equal(new CanarySpec { Target = new ModelTarget { Alias = "staging" }, Percent = 5 }, canary);
        Assert.Contains("serves v2 95% + v4 5%", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_BareModel_LeavesTheTargetEmptyForTheNewestVersion()
    {
        var result = await Run("deploy", "fashion");

        Assert.True(result.ExitCode == 0, result.ToString());
        var spec = Assert.Single(_server.Deployments.Deploys).Spec;
        Assert.Equal(("fashion", 0, ""), (spec.Name, spec.Target.Version, spec.Target.Alias));
        Assert.Null(spec.Canary);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("=true")]
    public async Task Deploy_SelectorWithoutKeyEqualsValue_ExitsTwoAndSendsNothing(string selector)
    {
        var result = await Run("deploy", "fashion:1", "--selector", selector);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"invalid --selector '{selector}'", result.Error, StringComparison.Ordinal);
        Assert.Empty(_server.Deployments.Deploys);
    }

    [Theory]
    [InlineData("abc", "invalid version 'abc'")]
    [InlineData("0", "invalid version '0'")]
    public async Task Deploy_CanaryNeitherVersionNorAlias_ExitsTwoAndSendsNothing(string canary, string message)
    {
        var result = await Run("deploy", "fashion:1", "--canary", canary);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
        Assert.Empty(_server.Deployments.Deploys);
    }

    [Fact]
    public async Task Deploy_CanaryShareTheCoordinatorRefuses_ExitsTwoWithItsMessage()
    {
        var result = await Run("deploy", "fashion:1", "--canary", "2", "--canary-percent", "100");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("spec.canary.percent: must be 1-99, got 100", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_ExistingDeployment_SaysWhatItServedBefore()
    {
        _server.Deployments.Set(Deployment("fashion", "fashion", DeploymentPhase.Available, [Route(1, 100)], [Revision(1, "deploy", Route(1, 100))]));

        var result = await Run("deploy", "fashion:2");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("deployment fashion: revision 2 serves v2 100% (was v1 100%)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_JsonOutput_PrintsTheDeployment()
    {
        var result = await Run("deploy", "fashion:2", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("fashion", json.RootElement.GetProperty("spec").GetProperty("name").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("revision").GetInt32());
        Assert.Equal("DEPLOYMENT_PHASE_PROGRESSING", json.RootElement.GetProperty("phase").GetString());
    }

    [Fact]
    public async Task Deploy_Wait_ExitsZeroOnceTheRevisionIsAvailable()
    {
        var loading = Deployment("fashion", "fashion", DeploymentPhase.Progressing, [Route(2, 100)], [Revision(1, "deploy", Route(2, 100))]);
        loading.Message = "agent-1 loading v2";
        _server.Deployments.Then(loading, Deployment("fashion", "fashion", DeploymentPhase.Available, [Route(2, 100)], [Revision(1, "deploy", Route(2, 100))]));

        var result = await CliRun.RunWithClockAsync(new FakeTimeProvider(), RolloutWait.PollInterval,
            "deploy", "fashion:2", "--wait", "--coordinator", _server.Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("revision 1: PROGRESSING agent-1 loading v2", result.Error, StringComparison.Ordinal);
        Assert.Contains("revision 1: AVAILABLE", result.Error, StringComparison.Ordinal);
    }

    private Task<CliResult> Run(params string[] args) => CliRun.RunAsync([.. args, "--coordinator", _server.Address]);
}
