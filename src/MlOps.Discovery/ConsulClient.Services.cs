using MlOps.Discovery.Http;
using MlOps.Discovery.Services;

namespace MlOps.Discovery;

/// <summary>Agent endpoints: service registration and TTL check updates on the local agent.</summary>
public sealed partial class ConsulClient
{
    /// <inheritdoc />
    public async Task RegisterServiceAsync(ServiceRegistration registration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var errors = registration.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"invalid registration of service '{registration.Name}': {string.Join("; ", errors)}", nameof(registration));
        }

        var request = new ConsulRequest(HttpMethod.Put, "/v1/agent/service/register")
        {
            Body = Serialize(ToWire(registration), ConsulJsonContext.Default.ServiceRegistrationWire),
        };
        if (registration.ReplaceExistingChecks)
        {
            request.With("replace-existing-checks", "true");
        }

        await _transport.SendAsync(request, cancellationToken);
    }

    /// <inheritdoc />
    public async Task DeregisterServiceAsync(string serviceId, CancellationToken cancellationToken = default) =>
        await _transport.SendAsync(new ConsulRequest(HttpMethod.Put, "/v1/agent/service/deregister/" + Segment(serviceId, nameof(serviceId))), cancellationToken);

    /// <inheritdoc />
    public async Task UpdateTtlCheckAsync(string checkId, CheckStatus status, string? output = null, CancellationToken cancellationToken = default)
    {
        if (status == CheckStatus.Maintenance)
        {
            throw new ArgumentOutOfRangeException(nameof(status), status, "a TTL check can be passing, warning or critical; maintenance is set per service");
        }

        var update = new TtlUpdateWire { Status = CheckStatusText.ToWire(status), Output = output };
        await _transport.SendAsync(
            new ConsulRequest(HttpMethod.Put, "/v1/agent/check/update/" + Segment(checkId, nameof(checkId)))
            {
                Body = Serialize(update, ConsulJsonContext.Default.TtlUpdateWire),
            },
            cancellationToken);
    }

    internal static ServiceRegistrationWire ToWire(ServiceRegistration registration) => new()
    {
        Id = registration.Id,
        Name = registration.Name,
        Tags = registration.Tags.Count == 0 ? null : [.. registration.Tags],
        Address = registration.Address,
        Port = registration.Port,
        Meta = registration.Meta.Count == 0 ? null : registration.Meta.ToDictionary(StringComparer.Ordinal),
        Checks = registration.Checks.Count == 0 ? null : [.. registration.Checks.Select(ToWire)],
    };

    private static CheckWire ToWire(CheckDefinition check) => new()
    {
        CheckId = check.CheckId,
        Name = check.Name,
        Notes = check.Notes,
        Ttl = Duration(check.Ttl),
        Http = check.Http,
        Method = check.HttpMethod,
        TlsSkipVerify = check.TlsSkipVerify ? true : null,
        Grpc = check.Grpc,
        GrpcUseTls = check.Grpc is null ? null : check.GrpcUseTls,
        Interval = Duration(check.Interval),
        Timeout = Duration(check.Timeout),
        DeregisterCriticalServiceAfter = Duration(check.DeregisterCriticalServiceAfter),
        Status = check.InitialStatus is { } status ? CheckStatusText.ToWire(status) : null,
    };

    private static string? Duration(TimeSpan? value) => value is { } v ? GoDuration.Format(v) : null;
}
