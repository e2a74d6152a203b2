using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>
/// TEST DOUBLE of the coordinator's DeploymentService for CLI tests: deployments in memory, every request recorded.
/// Deploy and Rollback add a PROGRESSING revision the way the coordinator does (aliases resolved from
/// <see cref="Aliases"/>, INVALID_ARGUMENT for a canary share outside 1-99, FAILED_PRECONDITION for a rollback with
/// no earlier revision); <see cref="Then"/> scripts how a deployment moves on between GetDeployment calls.
/// </summary>
internal sealed class FakeDeploymentServiceForCliTests : DeploymentService.DeploymentServiceBase
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Deployment> _deployments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<Deployment>> _upcoming = new(StringComparer.Ordinal);
    private int _gets;

    public ConcurrentQueue<DeployRequest> Deploys { get; } = new();

    public ConcurrentQueue<RollbackRequest> Rollbacks { get; } = new();

    public ConcurrentQueue<DeleteDeploymentRequest> Deletes { get; } = new();

    /// <summary>Alias → version, for Deploy's targets (any other alias is NOT_FOUND).</summary>
    public ConcurrentDictionary<string, int> Aliases { get; } = new(StringComparer.Ordinal);

    /// <summary>The version a deploy without version or alias pins.</summary>
    public int NewestVersion { get; set; } = 1;

    public int Gets => Volatile.Read(ref _gets);

    /// <summary>The deployment as GetDeployment and ListDeployments answer it now (and Deploy sees it).</summary>
    public void Set(Deployment deployment)
    {
        lock (_lock)
        {
            _deployments[deployment.Spec.Name] = deployment.Clone();
        }
    }

    /// <summary>
    /// Each later GetDeployment of an existing deployment of that name first moves on to the next of
    /// <paramref name="states"/>; the last stays.
    /// </summary>
    public void Then(params Deployment[] states)
    {
        lock (_lock)
        {
            foreach (var state in states)
            {
                var name = state.Spec.Name;
                if (!_upcoming.TryGetValue(name, out var queue))
                {
                    _upcoming[name] = queue = new Queue<Deployment>();
                }

                queue.Enqueue(state.Clone());
            }
        }
    }

    public Deployment? Current(string name)
    {
        lock (_lock)
        {
            return _deployments.TryGetValue(name, out var deployment) ? deployment.Clone() : null;
        }
    }

    public override Task<Deployment> Deploy(DeployRequest request, ServerCallContext context)
    {
        Deploys.Enqueue(request);
        var spec = request.Spec;
        if (spec.Canary is { } canary && canary.Percent is < 1 or > 99)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"spec.canary.percent: must be 1-99, got {canary.Percent}"));
        }

        var stable = Resolve(spec.Target);
        var routes = spec.Canary is { } c
            ? new[] { DeploymentFixtures.Route(stable, 100 - c.Percent), DeploymentFixtures.Route(Resolve(c.Target), c.Percent) }
            : [DeploymentFixtures.Route(stable, 100)];
        lock (_lock)
        {
            _deployments.TryGetValue(spec.Name, out var previous);
            var deployment = AddRevision(previous, spec, "deploy", routes);
            return Task.FromResult(deployment.Clone());
        }
    }

    public override Task<Deployment> Rollback(RollbackRequest request, ServerCallContext context)
    {
        Rollbacks.Enqueue(request);
        lock (_lock)
        {
            var current = Find(request.Name);
            var to = request.ToRevision > 0 ? request.ToRevision : current.Revision - 1;
            var target = current.History.FirstOrDefault(r => r.Revision == to && to < current.Revision)
                ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"deployment {request.Name} has no earlier revision {to}"));
            var deployment = AddRevision(current, current.Spec, $"rollback to revision {to}", [.. target.Traffic]);
            return Task.FromResult(deployment.Clone());
        }
    }

    public override Task<Deployment> GetDeployment(GetDeploymentRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref _gets);
        lock (_lock)
        {
            // A scripted rollout only moves on once the deployment exists, so the CLI's look before a deploy sees none.
            if (_deployments.ContainsKey(request.Name) && _upcoming.TryGetValue(request.Name, out var queue) && queue.Count > 0)
            {
                _deployments[request.Name] = queue.Dequeue();
            }

            return Task.FromResult(Find(request.Name).Clone());
        }
    }

    public override Task<ListDeploymentsResponse> ListDeployments(ListDeploymentsRequest request, ServerCallContext context)
    {
        var response = new ListDeploymentsResponse();
        lock (_lock)
        {
            response.Deployments.Add(_deployments.Values.OrderBy(d => d.Spec.Name, StringComparer.Ordinal).Select(d => d.Clone()));
        }

        return Task.FromResult(response);
    }

    public override Task<DeleteDeploymentResponse> DeleteDeployment(DeleteDeploymentRequest request, ServerCallContext context)
    {
        Deletes.Enqueue(request);
        lock (_lock)
        {
            Find(request.Name);
            _deployments.Remove(request.Name);
        }

        return Task.FromResult(new DeleteDeploymentResponse());
    }

    private Deployment Find(string name) => _deployments.TryGetValue(name, out var deployment)
        ? deployment
        : throw new RpcException(new Status(StatusCode.NotFound, $"deployment {name} not found"));

    private int Resolve(ModelTarget? target) => target switch
    {
        { Alias.Length: > 0 } => Aliases.TryGetValue(target.Alias, out var version)
            ? version
            : throw new RpcException(new Status(StatusCode.NotFound, $"alias {target.Alias} not found")),
        { Version: > 0 } => target.Version,
        _ => NewestVersion,
    };

    /// <summary>The new revision is wanted; traffic stays on the previous revision's split until it is ready.</summary>
    private Deployment AddRevision(Deployment? previous, DeploymentSpec spec, string cause, TrafficRoute[] routes)
    {
        var revision = new DeploymentRevision
        {
            Revision = (previous?.Revision ?? 0) + 1,
            Cause = cause,
            CreatedAt = Timestamp.FromDateTimeOffset(DeploymentFixtures.Start.AddMinutes((previous?.Revision ?? 0) + 1)),
        };
        revision.Traffic.Add(routes);
        var deployment = new Deployment
        {
            Spec = spec.Clone(),
            Revision = revision.Revision,
            Phase = DeploymentPhase.Progressing,
            CreatedAt = previous?.CreatedAt ?? revision.CreatedAt,
            UpdatedAt = revision.CreatedAt,
        };
        deployment.Traffic.Add(previous is null ? routes : previous.Traffic);
        deployment.Replicas.Add(previous?.Replicas ?? []);
        deployment.History.Add(previous?.History ?? []);
        deployment.History.Add(revision);
        _deployments[spec.Name] = deployment;
        return deployment;
    }
}
