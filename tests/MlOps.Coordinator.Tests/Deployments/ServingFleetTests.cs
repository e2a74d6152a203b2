using Microsoft.Extensions.Time.Testing;
using MlOps.Contracts;
using MlOps.Coordinator.Deployments;

namespace MlOps.Coordinator.Tests.Deployments;

public sealed class ServingFleetTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(15);
    private readonly FakeTimeProvider _clock = new();

    [Fact]
    public void Held_AgentNotSeenSinceStart_HeldDuringTheStartupGraceOnly()
    {
        var fleet = new ServingFleet(new DeploymentSignal(), _clock);

        Assert.Contains("a", fleet.Held(["a"], Grace));
        _clock.Advance(Grace);
        Assert.Empty(fleet.Held(["a"], Grace));
    }

    [Fact]
    public void Held_AgentDisconnected_HeldForTheGraceThenReleased()
    {
        var fleet = new ServingFleet(new DeploymentSignal(), _clock);
        fleet.Connected(Hello("a"));
        _clock.Advance(Grace * 2);
        fleet.Disconnected("a");

        Assert.Contains("a", fleet.Held(["a"], Grace));
        _clock.Advance(Grace);
        Assert.Empty(fleet.Held(["a"], Grace));
    }

    [Fact]
    public void Held_ConnectedAgent_NotHeld()
    {
        var fleet = new ServingFleet(new DeploymentSignal(), _clock);
        fleet.Connected(Hello("a"));

        Assert.Empty(fleet.Held(["a"], Grace));
    }

    [Fact]
    public void NextAssignment_SameModelsAgain_NothingToSendUnlessForcedOrReconnected()
    {
        var fleet = new ServingFleet(new DeploymentSignal(), _clock);
        fleet.Connected(Hello("a"));
        ServedModel[] models = [new ServedModel { Name = "m", Versions = { new ServedVersion { Version = 1, Percent = 100 } } }];

        var first = fleet.NextAssignment("a", models, force: false);
        Assert.NotNull(first);
        Assert.Null(fleet.NextAssignment("a", models, force: false));
        Assert.True(fleet.NextAssignment("a", models, force: true)!.Generation > first.Generation);
        fleet.Connected(Hello("a"));
        Assert.NotNull(fleet.NextAssignment("a", models, force: false));
    }

    [Fact]
    public void Connected_Hello_AddsBuiltInLabels()
    {
        var fleet = new ServingFleet(new DeploymentSignal(), _clock);
        var hello = Hello("a");
        hello.Labels["zone"] = "lab-2";
        hello.Capacity = new AgentCapacity { Gpus = { new GpuInfo { Index = 0 } } };

        fleet.Connected(hello);

        var agent = Assert.Single(fleet.Snapshot());
        Assert.Equal("lab-2", agent.Labels["zone"]);
        Assert.Equal("true", agent.Labels["gpu"]);
        Assert.Equal("a", agent.Labels["agent"]);
        Assert.Equal("node-a", agent.Labels["host"]);
    }

    private static AgentHello Hello(string id) => new()
    {
        AgentId = id,
        Host = "node-" + id,
        Serving = new ServingAddresses { GrpcAddress = $"http://{id}:8001" },
    };
}
