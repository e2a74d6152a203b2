using System.Globalization;
using System.Net;
using Grpc.Core;
using MlOps.Discovery;
using MlOps.Discovery.Health;

namespace MlOps.Client.Inference;

/// <summary>
/// Ready replicas from Consul: the passing <c>mlops-model</c> instances tagged <c>model=&lt;deployment&gt;</c> (and
/// <c>version=&lt;n&gt;</c> when a request names a version), which agents register while a version is READY and pass
/// by TTL (docs/discovery.md, "In the cluster"). An agent serving several versions of the model is one replica.
/// Needs no coordinator: only Consul and the agents.
/// </summary>
/// <remarks>Consul answers in milliseconds from the local agent; the client's
/// <see cref="InferenceClientOptions.ReplicaRefreshInterval"/> bounds how often it is asked. A failing Consul is
/// <c>UNAVAILABLE</c> (the client keeps the replicas it knew), a refused token <c>PERMISSION_DENIED</c>.</remarks>
public sealed class ConsulReplicaSource(IConsulClient consul) : IReplicaSource
{
    private readonly IConsulClient _consul = consul ?? throw new ArgumentNullException(nameof(consul));

    /// <inheritdoc />
    public async Task<ReplicaList> GetReadyReplicasAsync(string deployment, string version, CancellationToken cancellationToken)
    {
        List<string> tags = [ClusterServices.ModelTag(deployment)];
        if (!string.IsNullOrEmpty(version))
        {
            tags.Add(ClusterServices.VersionTag(version));
        }

        IReadOnlyList<ServiceHealth> instances;
        try
        {
            var answer = await _consul.GetServiceHealthAsync(ClusterServices.Model, new HealthFilter { PassingOnly = true, Tags = tags },
                cancellationToken: cancellationToken);
            instances = answer.Value;
        }
        catch (ConsulException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var status = ex.IsPermissionDenied ? StatusCode.PermissionDenied : StatusCode.Unavailable;
            throw new RpcException(new Status(status, $"replicas of '{deployment}' from Consul: {ex.Message}", ex));
        }

        var addresses = instances.Select(Address).Where(a => a is not null).Cast<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var which = string.IsNullOrEmpty(version) ? "" : $" version {version}";
        return new ReplicaList(addresses, $"{addresses.Count} passing {ClusterServices.Model} instance(s) of '{deployment}'{which} in Consul");
    }

    /// <summary>The agent's own gRPC address from meta, else the instance's address and port.</summary>
    private static string? Address(ServiceHealth instance)
    {
        if (instance.Meta.TryGetValue(ClusterServices.GrpcAddressMeta, out var grpc) && grpc.Length > 0)
        {
            return grpc;
        }

        if (instance.Address.Length == 0 || instance.Port <= 0)
        {
            return null;
        }

        var host = IPAddress.TryParse(instance.Address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{instance.Address}]"
            : instance.Address;
        return $"http://{host}:{instance.Port.ToString(CultureInfo.InvariantCulture)}";
    }
}
