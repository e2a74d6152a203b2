using System.Collections.Immutable;
using MlOps.Contracts;
using MlOps.Coordinator.Deployments;

namespace MlOps.Coordinator.Tests.Deployments;

public sealed class DeploymentPlannerTests
{
    private const string Name = "fashion";

    [Fact]
    public void Plan_FirstRevisionNotLoadedYet_AssignsItWithoutTrafficAndProgresses()
    {
        var deployment = Deployment(live: [], wanted: [(1, 100)]);

        var plan = DeploymentPlanner.Plan([Input(deployment, 1)], [Agent("a")]);

        var planned = Assert.Single(plan.Deployments);
        Assert.Empty(planned.Traffic);
        Assert.Equal(DeploymentPhase.Progressing, planned.Phase);
        var served = Assert.Single(Assert.Single(plan.Assignments["a"]).Versions);
        Assert.Equal((1, 0), (served.Version, served.Percent));
        Assert.Equal("sha256:manifest1", served.ManifestDigest);
    }

    [Fact]
    public void Plan_NewVersionReadyOnEveryReplica_SwitchesTrafficAndDropsTheOldVersion()
    {
        var deployment = Deployment(live: [(1, 100)], wanted: [(2, 100)], placed: ["a", "b"], replicas: 2);

        var plan = DeploymentPlanner.Plan([Input(deployment, 1, 2)], [Agent("a", (1, "READY"), (2, "READY")), Agent("b", (1, "READY"), (2, "READY"))]);

        var planned = Assert.Single(plan.Deployments);
        Assert.Equal([(2, 100)], planned.Traffic.Select(t => (t.Version, t.Percent)));
        Assert.Equal(DeploymentPhase.Available, planned.Phase);
        foreach (var agent in new[] { "a", "b" })
        {
            var served = Assert.Single(Assert.Single(plan.Assignments[agent]).Versions);
            Assert.Equal((2, 100), (served.Version, served.Percent));
        }
    }

    [Fact]
    public void Plan_NewVersionReadyOnOneOfTwoReplicas_KeepsOldTrafficAndBothVersions()
    {
        var deployment = Deployment(live: [(1, 100)], wanted: [(2, 100)], placed: ["a", "b"], replicas: 2);

        var plan = DeploymentPlanner.Plan([Input(deployment, 1, 2)], [Agent("a", (1, "READY"), (2, "READY")), Agent("b", (1, "READY"), (2, "LOADING"))]);

        var planned = Assert.Single(plan.Deployments);
        Assert.Equal([(1, 100)], planned.Traffic.Select(t => (t.Version, t.Percent)));
        Assert.Equal(DeploymentPhase.Progressing, planned.Phase);
        Assert.Contains("version 2 on b", planned.Message);
        var versions = Assert.Single(plan.Assignments["b"]).Versions.Select(v => (v.Version, v.Percent));
        Assert.Equal([(1, 100), (2, 0)], versions);
    }

    [Fact]
    public void Plan_NewVersionFailedToLoad_FailedWithReasonAndTrafficStays()
    {
        var deployment = Deployment(live: [(1, 100)], wanted: [(2, 100)], placed: ["a"]);

        var plan = DeploymentPlanner.Plan([Input(deployment, 1, 2)], [Agent("a", (1, "READY"), (2, "UNAVAILABLE"))]);

        var planned = Assert.Single(plan.Deployments);
        Assert.Equal(DeploymentPhase.Failed, planned.Phase);
        Assert.Contains("version 2 failed to load on agent a: broken", planned.Message);
        Assert.Equal([(1, 100)], planned.Traffic.Select(t => (t.Version, t.Percent)));
    }

    [Fact]
    public void Plan_Canary_AssignsBothVersionsWithTheirShares()
    {
        var deployment = Deployment(live: [(1, 100)], wanted: [(1, 90), (2, 10)], placed: ["a"]);

        var plan = DeploymentPlanner.Plan([Input(deployment, 1, 2)], [Agent("a", (1, "READY"), (2, "READY"))]);

        var served = Assert.Single(plan.Assignments["a"]).Versions.Select(v => (v.Version, v.Percent));
        Assert.Equal([(1, 90), (2, 10)], served);
        Assert.Equal(DeploymentPhase.Available, Assert.Single(plan.Deployments).Phase);
    }

    [Fact]
    public void Plan_SelectorMatchesNoAgent_DegradedNamingTheSelector()
    {
        var deployment = Deployment(live: [], wanted: [(1, 100)]);
        deployment.Spec.AgentSelector["gpu"] = "true";

        var plan = DeploymentPlanner.Plan([Input(deployment, 1)], [Agent("a")]);

        var planned = Assert.Single(plan.Deployments);
        Assert.Equal(DeploymentPhase.Degraded, planned.Phase);
        Assert.Contains("gpu=true", planned.Message);
        Assert.Empty(plan.Assignments["a"]);
    }

    [Fact]
    public void Plan_PlacedAgentDisconnected_ReplicaMovesToAnotherAgent()
    {
        var deployment = Deployment(live: [(1, 100)], wanted: [(1, 100)], placed: ["a"]);

        var plan = DeploymentPlanner.Plan([Input(deployment, 1)], [Agent("a", (1, "READY")) with { Connected = false }, Agent("b")]);

        var planned = Assert.Single(plan.Deployments);
        Assert.Equal(["b"], planned.Replicas.Select(r => r.AgentId));
        Assert.Equal(DeploymentPhase.Progressing, planned.Phase);
        Assert.DoesNotContain("a", plan.Assignments.Keys);
        Assert.Equal((1, 100), Assert.Single(Assert.Single(plan.Assignments["b"]).Versions) is var v ? (v.Version, v.Percent) : default);
    }

    [Fact]
    public void Plan_PlacedAgentHeld_KeepsItsReplicaWithoutAssigningIt()
    {
        var deployment = Deployment(live: [(1, 100)], wanted: [(1, 100)], placed: ["a"]);

        var plan = DeploymentPlanner.Plan([Input(deployment, 1)], [Agent("b")], held: new HashSet<string> { "a" });

        var planned = Assert.Single(plan.Deployments);
        Assert.Equal(["a"], planned.Replicas.Select(r => r.AgentId));
        Assert.Empty(plan.Assignments["b"]);
        Assert.Equal(DeploymentPhase.Progressing, planned.Phase);
        Assert.Contains("waiting for agent(s) a to reconnect", planned.Message);
    }

    [Fact]
    public void Plan_ReplacementReplicaFailsToLoad_DegradedNamingTheReason()
    {
        var deployment = Deployment(live: [(1, 100)], wanted: [(1, 100)], placed: ["a", "b"], replicas: 2);

        var plan = DeploymentPlanner.Plan([Input(deployment, 1)], [Agent("a", (1, "READY")), Agent("b", (1, "UNAVAILABLE"))]);

        var planned = Assert.Single(plan.Deployments);
        Assert.Equal(DeploymentPhase.Degraded, planned.Phase);
        Assert.Contains("b: version 1 failed to load: broken", planned.Message);
    }

    [Fact]
    public void Plan_RollbackToAVersionStillUnloading_NotFailed()
    {
        var deployment = Deployment(live: [(2, 100)], wanted: [(1, 100)], placed: ["a"]);
        var agent = Agent("a", (2, "READY"));
        agent = agent with
        {
            Versions = agent.Versions.Add((Name, 1), new ServedVersionStatus { Name = Name, Version = 1, State = "UNAVAILABLE", Reason = "unloading" }),
        };

        var plan = DeploymentPlanner.Plan([Input(deployment, 1, 2)], [agent]);

        Assert.Equal(DeploymentPhase.Progressing, Assert.Single(plan.Deployments).Phase);
    }

    [Fact]
    public void Plan_SelectorMatchesNoneOfTheServingAgents_MessageSaysSo()
    {
        var deployment = Deployment(live: [], wanted: [(1, 100)]);
        deployment.Spec.AgentSelector["zone"] = "lab-2";

        var plan = DeploymentPlanner.Plan([Input(deployment, 1)], [Agent("a"), Agent("b")]);

        Assert.Equal("none of the 2 serving agent(s) matches the selector zone=lab-2", Assert.Single(plan.Deployments).Message);
    }

    [Fact]
    public void Plan_ReplicaOnDrainedAgent_KeepsServingUntilItsReplacementIsReady()
    {
        var deployment = Deployment(live: [(1, 100)], wanted: [(1, 100)], placed: ["a"]);

        var moving = DeploymentPlanner.Plan([Input(deployment, 1)], [Agent("a", (1, "READY")) with { Drained = true }, Agent("b")]);

        var planned = Assert.Single(moving.Deployments);
        Assert.Equal(["b", "a"], planned.Replicas.Select(r => r.AgentId));
        Assert.Single(moving.Assignments["a"]); // still serving
        Assert.Single(moving.Assignments["b"]); // loading the replacement

        var moved = DeploymentPlanner.Plan([Input(planned, 1)], [Agent("a", (1, "READY")) with { Drained = true }, Agent("b", (1, "READY"))]);

        Assert.Equal(["b"], Assert.Single(moved.Deployments).Replicas.Select(r => r.AgentId));
        Assert.Empty(moved.Assignments["a"]); // now it drains and unloads
        Assert.Equal(DeploymentPhase.Available, Assert.Single(moved.Deployments).Phase);
    }

    [Fact]
    public void Plan_OnlyAgentDrained_KeepsServingThereAndSaysSo()
    {
        var deployment = Deployment(live: [(1, 100)], wanted: [(1, 100)], placed: ["a"]);

        var plan = DeploymentPlanner.Plan([Input(deployment, 1)], [Agent("a", (1, "READY")) with { Drained = true }]);

        var planned = Assert.Single(plan.Deployments);
        Assert.Single(plan.Assignments["a"]);
        Assert.Equal(DeploymentPhase.Degraded, planned.Phase);
        Assert.Contains("a drained and no other agent can take the replica", planned.Message);
    }

    [Fact]
    public void Plan_TwoDeployments_SpreadOverTheLeastLoadedAgents()
    {
        var first = Deployment(live: [], wanted: [(1, 100)]);
        var second = Deployment(live: [], wanted: [(1, 100)], name: "other");

        var plan = DeploymentPlanner.Plan([Input(first, 1), Input(second, 1)], [Agent("a"), Agent("b")]);

        var agents = plan.Deployments.Select(d => Assert.Single(d.Replicas).AgentId).ToList();
        Assert.Equal(2, agents.Distinct().Count());
    }

    [Fact]
    public void Plan_AgentWithoutServingEndpoint_NeverPlaced()
    {
        var deployment = Deployment(live: [], wanted: [(1, 100)]);

        var plan = DeploymentPlanner.Plan([Input(deployment, 1)], [Agent("a") with { GrpcAddress = "" }]);

        Assert.Empty(Assert.Single(plan.Deployments).Replicas);
        Assert.Empty(plan.Assignments);
    }

    private static Deployment Deployment((int Version, int Percent)[] live, (int Version, int Percent)[] wanted,
        string[]? placed = null, int replicas = 1, string name = Name)
    {
        var deployment = new Deployment
        {
            Spec = new DeploymentSpec { Name = name, Model = "fashion-model", Replicas = replicas, Target = new ModelTarget() },
            Revision = 1,
        };
        deployment.Traffic.AddRange(live.Select(t => new TrafficRoute { Version = t.Version, Percent = t.Percent }));
        var revision = new DeploymentRevision { Revision = 1, Cause = "test" };
        revision.Traffic.AddRange(wanted.Select(t => new TrafficRoute { Version = t.Version, Percent = t.Percent }));
        deployment.History.Add(revision);
        deployment.Replicas.AddRange((placed ?? []).Select(id => new Replica { AgentId = id }));
        return deployment;
    }

    private static DeploymentInput Input(Deployment deployment, params int[] versions) =>
        new(deployment, versions.ToDictionary(v => v, v => new ModelVersion
        {
            Model = deployment.Spec.Model,
            Version = v,
            Repository = "models/" + deployment.Spec.Model,
            ManifestDigest = $"sha256:manifest{v}",
            OnnxDigest = $"sha256:onnx{v}",
        }));

    private static FleetAgent Agent(string id, params (int Version, string State)[] versions) =>
        new(id, Connected: true, $"http://{id}:8001", $"http://{id}:8000",
            ImmutableDictionary<string, string>.Empty.Add("agent", id).Add("gpu", "false"),
            versions.ToImmutableDictionary(v => (Name, v.Version), v => new ServedVersionStatus
            {
                Name = Name,
                Version = v.Version,
                State = v.State,
                Reason = v.State == "UNAVAILABLE" ? "broken" : "",
            }));
}
