using MlOps.Discovery.Health;
using MlOps.Discovery.Http;
using MlOps.Discovery.Services;

namespace MlOps.Discovery;

/// <summary>Health endpoint: discovery of service instances, blocking when asked to.</summary>
public sealed partial class ConsulClient
{
    /// <inheritdoc />
    public async Task<ConsulResponse<IReadOnlyList<ServiceHealth>>> GetServiceHealthAsync(
        string service, HealthFilter? filter = null, QueryOptions? query = null, CancellationToken cancellationToken = default)
    {
        var path = "/v1/health/service/" + Segment(service, nameof(service));
        var request = new ConsulRequest(HttpMethod.Get, path) { UsesDatacenter = true, Read = query };
        if (filter is not null)
        {
            if (filter.PassingOnly)
            {
                request.With("passing");
            }

            foreach (var tag in filter.Tags)
            {
                request.With("tag", tag);
            }
        }

        var answer = await _transport.SendAsync(request, cancellationToken);
        var entries = Deserialize(answer.Body, ConsulJsonContext.Default.ServiceEntryWireArray) ?? [];
        IReadOnlyList<ServiceHealth> instances = [.. entries.Where(e => e.Service is not null).Select(ToServiceHealth)];
        return Response(answer, instances, query?.WaitIndex ?? 0, path, _logger);
    }

    private static ServiceHealth ToServiceHealth(ServiceEntryWire entry)
    {
        var service = entry.Service!;
        var nodeAddress = entry.Node?.Address ?? "";
        return new ServiceHealth
        {
            Node = entry.Node?.Node ?? "",
            NodeAddress = nodeAddress,
            ServiceId = service.Id ?? "",
            ServiceName = service.Service ?? "",
            Address = string.IsNullOrEmpty(service.Address) ? nodeAddress : service.Address,
            Port = service.Port,
            Tags = service.Tags ?? [],
            Meta = service.Meta ?? new Dictionary<string, string>(),
            Checks = [.. (entry.Checks ?? []).Select(c => new HealthCheckInfo(
                c.CheckId ?? "", c.Name ?? "", CheckStatusText.Parse(c.Status), c.Output ?? "", c.ServiceId ?? ""))],
        };
    }
}
