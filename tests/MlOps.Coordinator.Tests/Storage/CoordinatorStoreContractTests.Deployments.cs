using MlOps.Contracts;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>The deployment part of the contract: the whole message stored by name, replaced and deleted.</summary>
public abstract partial class CoordinatorStoreContractTests
{
    [StoreFact]
    public async Task PutDeploymentAsync_ThenGetAndList_RoundTripsWholeMessageByName()
    {
        using var store = await OpenAsync();
        var deployments = (IDeploymentStore)store;
        var mnist = Deployment("mnist", revision: 1);
        await deployments.PutDeploymentAsync(Deployment("zeta", revision: 1), None);
        await deployments.PutDeploymentAsync(mnist, None);

        Assert.Equal(mnist, await deployments.GetDeploymentAsync("mnist", None));
        Assert.Equal(["mnist", "zeta"], (await deployments.ListDeploymentsAsync(None)).Select(d => d.Spec.Name));
        Assert.Null(await deployments.GetDeploymentAsync("missing", None));
    }

    [StoreFact]
    public async Task PutDeploymentAsync_SameName_Replaced()
    {
        using var store = await OpenAsync();
        var deployments = (IDeploymentStore)store;
        await deployments.PutDeploymentAsync(Deployment("mnist", revision: 1), None);

        var second = Deployment("mnist", revision: 2);
        await deployments.PutDeploymentAsync(second, None);

        Assert.Equal(second, Assert.Single(await deployments.ListDeploymentsAsync(None)));
    }

    [StoreFact]
    public async Task DeleteDeploymentAsync_ExistingThenAgain_TrueThenFalse()
    {
        using var store = await OpenAsync();
        var deployments = (IDeploymentStore)store;
        await deployments.PutDeploymentAsync(Deployment("mnist", revision: 1), None);

        var deleted = await deployments.DeleteDeploymentAsync("mnist", None);
        var again = await deployments.DeleteDeploymentAsync("mnist", None);

        Assert.True(deleted);
        Assert.False(again);
        Assert.Empty(await deployments.ListDeploymentsAsync(None));
    }

    private static Deployment Deployment(string name, int revision)
    {
        var deployment = new Deployment
        {
            Spec = new DeploymentSpec { Name = name, Model = "tiny-mlp", Replicas = 2, Target = new ModelTarget { Version = revision } },
            Revision = revision,
            Phase = DeploymentPhase.Progressing,
            Message = $"rolling out revision {revision}",
        };
        deployment.Spec.AgentSelector.Add("gpu", "false");
        deployment.Traffic.Add(new TrafficRoute { Version = revision, Percent = 100 });
        return deployment;
    }
}
