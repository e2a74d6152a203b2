using MlOps.Discovery;
using MlOps.Discovery.Health;
using MlOps.Discovery.KeyValue;
using MlOps.Discovery.Services;
using MlOps.Discovery.Sessions;

namespace MlOps.Testing;

/// <summary>
/// TEST DOUBLE of <see cref="IConsulClient"/>: an in-memory catalog of one node's services and their checks. Records
/// every call, answers health queries (passing and tag filters, blocking until the index moves), and fails every call
/// with a <see cref="ConsulException"/> while <see cref="Down"/> is set. KV and sessions are not supported.
/// </summary>
public sealed class FakeConsulClientForTests : IConsulClient
{
    public const string NodeName = "fake-node";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, ServiceRegistration> _services = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (CheckStatus Status, string Output)> _checks = new(StringComparer.Ordinal);
    private readonly List<string> _calls = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ulong _index = 1;

    /// <summary>While true every call fails as if Consul could not be reached.</summary>
    public bool Down { get; set; }

    /// <summary>Every call, in order: <c>register ID</c>, <c>deregister ID</c>, <c>ttl CHECK passing</c>, <c>health SERVICE</c>.</summary>
    public IReadOnlyList<string> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The registered services by id.</summary>
    public IReadOnlyDictionary<string, ServiceRegistration> Services
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, ServiceRegistration>(_services, StringComparer.Ordinal);
            }
        }
    }

    public void ClearCalls()
    {
        lock (_lock)
        {
            _calls.Clear();
        }
    }

    /// <summary>A check's state, as Consul would set it when a TTL runs out.</summary>
    public void SetCheck(string checkId, CheckStatus status, string output = "")
    {
        lock (_lock)
        {
            _checks[checkId] = (status, output);
            Changed();
        }
    }

    /// <summary>Forgets every registration, as a restarted dev agent does.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _services.Clear();
            _checks.Clear();
            Changed();
        }
    }

    public CheckStatus? CheckStatusOf(string checkId)
    {
        lock (_lock)
        {
            return _checks.TryGetValue(checkId, out var check) ? check.Status : null;
        }
    }

    public Task RegisterServiceAsync(ServiceRegistration registration, CancellationToken cancellationToken = default)
    {
        var errors = registration.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors), nameof(registration));
        }

        var id = registration.Id ?? registration.Name;
        lock (_lock)
        {
            Call($"register {id}");
            if (_services.TryGetValue(id, out var previous))
            {
                foreach (var check in previous.Checks)
                {
                    _checks.Remove(check.CheckId!);
                }
            }

            _services[id] = registration;
            foreach (var check in registration.Checks)
            {
                _checks[check.CheckId!] = (check.InitialStatus ?? CheckStatus.Critical, "");
            }

            Changed();
        }

        return Task.CompletedTask;
    }

    public Task DeregisterServiceAsync(string serviceId, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Call($"deregister {serviceId}");
            if (_services.Remove(serviceId, out var removed))
            {
                foreach (var check in removed.Checks)
                {
                    _checks.Remove(check.CheckId!);
                }

                Changed();
            }
        }

        return Task.CompletedTask;
    }

    public Task UpdateTtlCheckAsync(string checkId, CheckStatus status, string? output = null, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Call($"ttl {checkId} {status.ToString().ToLowerInvariant()}");
            if (!_checks.TryGetValue(checkId, out var current))
            {
                // What Consul 1.8 answers for a check it does not know (after losing its registrations).
                throw new ConsulException("PUT", "/v1/agent/check/update/" + checkId, System.Net.HttpStatusCode.InternalServerError,
                    $"Unknown check \"{checkId}\"", $"Consul refused the TTL update of {checkId}");
            }

            if (current.Status != status)
            {
                Changed();
            }

            _checks[checkId] = (status, output ?? "");
        }

        return Task.CompletedTask;
    }

    public async Task<ConsulResponse<IReadOnlyList<ServiceHealth>>> GetServiceHealthAsync(
        string service, HealthFilter? filter = null, QueryOptions? query = null, CancellationToken cancellationToken = default)
    {
        Task changed;
        lock (_lock)
        {
            Call($"health {service}");
            changed = _changed.Task;
            if (query is not { IsBlocking: true } || query.WaitIndex < _index)
            {
                return new ConsulResponse<IReadOnlyList<ServiceHealth>>(Health(service, filter), _index, true, TimeSpan.Zero);
            }
        }

        await changed.WaitAsync(cancellationToken);
        lock (_lock)
        {
            ThrowIfDown();
            return new ConsulResponse<IReadOnlyList<ServiceHealth>>(Health(service, filter), _index, true, TimeSpan.Zero);
        }
    }

    public Task<string> GetLeaderAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            Call("leader");
            return Task.FromResult("127.0.0.1:8300");
        }
    }

    public Task<ConsulResponse<KvEntry?>> GetKeyAsync(string key, QueryOptions? query = null, CancellationToken cancellationToken = default) => throw NotSupported();

    public Task<bool> PutKeyAsync(string key, ReadOnlyMemory<byte> value, ulong? cas = null, CancellationToken cancellationToken = default) => throw NotSupported();

    public Task<bool> DeleteKeyAsync(string key, ulong? cas = null, CancellationToken cancellationToken = default) => throw NotSupported();

    public Task<bool> AcquireKeyAsync(string key, string sessionId, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => throw NotSupported();

    public Task<bool> ReleaseKeyAsync(string key, string sessionId, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => throw NotSupported();

    public Task<string> CreateSessionAsync(SessionRequest request, CancellationToken cancellationToken = default) => throw NotSupported();

    public Task<SessionInfo> RenewSessionAsync(string sessionId, CancellationToken cancellationToken = default) => throw NotSupported();

    public Task DestroySessionAsync(string sessionId, CancellationToken cancellationToken = default) => throw NotSupported();

    public Task<ConsulResponse<SessionInfo?>> GetSessionAsync(string sessionId, QueryOptions? query = null, CancellationToken cancellationToken = default) => throw NotSupported();

    private List<ServiceHealth> Health(string service, HealthFilter? filter)
    {
        var instances = new List<ServiceHealth>();
        foreach (var registration in _services.Values.Where(s => s.Name == service).OrderBy(s => s.Id, StringComparer.Ordinal))
        {
            var instance = new ServiceHealth
            {
                Node = NodeName,
                NodeAddress = "127.0.0.1",
                ServiceId = registration.Id ?? registration.Name,
                ServiceName = registration.Name,
                Address = registration.Address ?? "127.0.0.1",
                Port = registration.Port ?? 0,
                Tags = registration.Tags,
                Meta = registration.Meta,
                Checks = [.. registration.Checks.Select(c => new HealthCheckInfo(
                    c.CheckId!, c.Name ?? c.CheckId!, _checks[c.CheckId!].Status, _checks[c.CheckId!].Output, registration.Id ?? registration.Name))],
            };
            if (filter is not null && (!filter.Tags.All(instance.Tags.Contains) || (filter.PassingOnly && instance.AggregateStatus != CheckStatus.Passing)))
            {
                continue;
            }

            instances.Add(instance);
        }

        return instances;
    }

    private void Call(string call)
    {
        _calls.Add(call);
        ThrowIfDown();
    }

    private void ThrowIfDown()
    {
        if (Down)
        {
            throw new ConsulException("GET", "/", null, null, "Consul at http://127.0.0.1:8500 failed: Connection refused");
        }
    }

    private void Changed()
    {
        _index++;
        _changed.TrySetResult();
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static NotSupportedException NotSupported() => new("FakeConsulClientForTests covers services, checks and health only");
}
