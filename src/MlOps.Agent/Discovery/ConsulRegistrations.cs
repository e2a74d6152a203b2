using System.Globalization;
using MlOps.Agent.Options;
using MlOps.Contracts;
using MlOps.Discovery;
using MlOps.Discovery.Services;

namespace MlOps.Agent.Discovery;

/// <summary>
/// What the agent registers in Consul (pure: the registrar does the I/O). Every service carries one TTL check that
/// the agent passes every <see cref="AgentConsulOptions.PassInterval"/>; it starts passing, since the agent registers
/// only what is true at that moment (itself running, a version READY).
/// </summary>
internal static class ConsulRegistrations
{
    /// <summary><c>mlops-agent</c>, id = the agent id: capacity and serving endpoints in meta, <c>gpus=N</c> and
    /// <c>serving=true|false</c> as tags. No address: it is not a service anyone dials.</summary>
    public static ServiceRegistration Agent(string agentId, string host, AgentCapacity capacity, ServingAddresses? serving, AgentConsulOptions options)
    {
        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ClusterServices.AgentIdMeta] = agentId,
            ["host"] = host,
            ["cpu_cores"] = Text(capacity.CpuCores),
            ["memory_mb"] = Text(capacity.MemoryMb),
            ["gpus"] = Text(capacity.Gpus.Count),
        };
        AddAddresses(meta, serving);
        return new ServiceRegistration
        {
            Name = ClusterServices.Agent,
            Id = agentId,
            Tags = ["gpus=" + Text(capacity.Gpus.Count), "serving=" + (GrpcAddress(serving) is null ? "false" : "true")],
            Meta = meta,
            Checks = [Check(agentId, $"mlops agent {agentId} passes this while it runs", options)],
        };
    }

    /// <summary><c>mlops-model</c> for one READY version, at the agent's gRPC inference endpoint; null when the agent has
    /// no gRPC endpoint (clients only call replicas over gRPC).</summary>
    public static ServiceRegistration? Model(string agentId, ReadyVersion version, ServingAddresses? serving, AgentConsulOptions options)
    {
        if (GrpcAddress(serving) is not { } grpc)
        {
            return null;
        }

        var id = ClusterServices.ModelServiceId(agentId, version.Model, version.Version);
        var meta = new Dictionary<string, string>(StringComparer.Ordinal) { [ClusterServices.AgentIdMeta] = agentId };
        AddAddresses(meta, serving);
        return new ServiceRegistration
        {
            Name = ClusterServices.Model,
            Id = id,
            // Consul stores IPv6 addresses without brackets; clients use the grpc_address meta as is.
            Address = grpc.Host.Trim('[', ']'),
            Port = grpc.Port,
            Tags = [ClusterServices.ModelTag(version.Model), ClusterServices.VersionTag(version.Version), "agent=" + agentId],
            Meta = meta,
            Checks = [Check(id, $"{version.Model} version {version.Version} on agent {agentId}: passed while READY", options)],
        };
    }

    private static CheckDefinition Check(string serviceId, string notes, AgentConsulOptions options) =>
        CheckDefinition.ForTtl(ClusterServices.CheckId(serviceId), options.CheckTtl) with
        {
            Notes = notes,
            InitialStatus = CheckStatus.Passing,
            DeregisterCriticalServiceAfter = options.DeregisterCriticalAfter,
        };

    private static Uri? GrpcAddress(ServingAddresses? serving) =>
        serving is { GrpcAddress.Length: > 0 } && Uri.TryCreate(serving.GrpcAddress, UriKind.Absolute, out var uri) ? uri : null;

    private static void AddAddresses(Dictionary<string, string> meta, ServingAddresses? serving)
    {
        if (!string.IsNullOrEmpty(serving?.GrpcAddress))
        {
            meta[ClusterServices.GrpcAddressMeta] = serving.GrpcAddress;
        }

        if (!string.IsNullOrEmpty(serving?.RestAddress))
        {
            meta[ClusterServices.RestAddressMeta] = serving.RestAddress;
        }
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
