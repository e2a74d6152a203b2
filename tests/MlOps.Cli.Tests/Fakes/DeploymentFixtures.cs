using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>Deployments as the coordinator reports them, for the fake DeploymentService.</summary>
internal static class DeploymentFixtures
{
    public static readonly DateTimeOffset Start = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public static TrafficRoute Route(int version, int percent) => new() { Version = version, Percent = percent };

    public static DeploymentRevision Revision(int revision, string cause, params TrafficRoute[] traffic)
    {
        var entry = new DeploymentRevision { Revision = revision, Cause = cause, CreatedAt = Timestamp.FromDateTimeOffset(Start.AddMinutes(revision)) };
        entry.Traffic.Add(traffic);
        return entry;
    }

    /// <summary>A replica serving <paramref name="versions"/>, each READY.</summary>
    public static Replica Replica(string agentId, string grpcAddress, bool ready, params int[] versions)
    {
        var replica = new Replica { AgentId = agentId, GrpcAddress = grpcAddress, RestAddress = $"http://{agentId}:8000", Ready = ready };
        replica.Versions.Add(versions.Select(v => new ReplicaVersion { Version = v, State = "READY" }));
        return replica;
    }

    /// <summary>
    /// Deployment <paramref name="name"/> of model <paramref name="model"/> at its newest revision of
    /// <paramref name="history"/>, routing <paramref name="traffic"/> now.
    /// </summary>
    public static Deployment Deployment(string name, string model, DeploymentPhase phase, TrafficRoute[] traffic,
        DeploymentRevision[] history, params Replica[] replicas)
    {
        var deployment = new Deployment
        {
            Spec = new DeploymentSpec { Name = name, Model = model, Target = new ModelTarget { Alias = "production" }, Replicas = Math.Max(1, replicas.Length) },
            Revision = history.Length == 0 ? 1 : history[^1].Revision,
            Phase = phase,
            CreatedAt = Timestamp.FromDateTimeOffset(Start),
            UpdatedAt = Timestamp.FromDateTimeOffset(Start.AddMinutes(history.Length)),
        };
        deployment.Traffic.Add(traffic);
        deployment.History.Add(history);
        deployment.Replicas.Add(replicas);
        return deployment;
    }
}
