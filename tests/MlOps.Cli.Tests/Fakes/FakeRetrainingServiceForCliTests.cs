using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>
/// TEST DOUBLE of the coordinator's RetrainingService for CLI tests: policies and runs in memory, every request
/// recorded. SetPolicy stores the policy as sent (with times; no defaults filled in); NOT_FOUND for an unknown policy
/// or run; TriggerRetraining is FAILED_PRECONDITION while a run of the model is active, like the coordinator.
/// <see cref="Then"/> scripts how a run moves on between GetRun calls; <see cref="SetPolicyError"/> and
/// <see cref="GetRunErrors"/> make calls fail.
/// </summary>
internal sealed class FakeRetrainingServiceForCliTests : RetrainingService.RetrainingServiceBase
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RetrainingPolicy> _policies = new(StringComparer.Ordinal);
    private readonly List<RetrainingRun> _runs = [];
    private readonly Dictionary<string, Queue<RetrainingRun>> _upcoming = new(StringComparer.Ordinal);
    private int _gets;

    public ConcurrentQueue<SetRetrainingPolicyRequest> PoliciesSet { get; } = new();

    public ConcurrentQueue<DeleteRetrainingPolicyRequest> PoliciesDeleted { get; } = new();

    public ConcurrentQueue<TriggerRetrainingRequest> Triggers { get; } = new();

    public ConcurrentQueue<ListRetrainingRunsRequest> RunLists { get; } = new();

    /// <summary>Each GetRun first takes one of these, while any are left, and fails with it.</summary>
    public ConcurrentQueue<Status> GetRunErrors { get; } = new();

    /// <summary>When set, SetPolicy fails with it (the coordinator's validation, say).</summary>
    public Status? SetPolicyError { get; set; }

    public int Gets => Volatile.Read(ref _gets);

    public void Set(RetrainingPolicy policy)
    {
        lock (_lock)
        {
            _policies[policy.Model] = policy.Clone();
        }
    }

    /// <summary>The run as GetRun and ListRuns answer it now; runs are listed newest (last added) first.</summary>
    public void Set(RetrainingRun run)
    {
        lock (_lock)
        {
            _runs.RemoveAll(r => r.Id == run.Id);
            _runs.Add(run.Clone());
        }
    }

    /// <summary>Each later GetRun of that run first moves on to the next of <paramref name="states"/>; the last stays.</summary>
    public void Then(params RetrainingRun[] states)
    {
        lock (_lock)
        {
            foreach (var state in states)
            {
                if (!_upcoming.TryGetValue(state.Id, out var queue))
                {
                    _upcoming[state.Id] = queue = new Queue<RetrainingRun>();
                }

                queue.Enqueue(state.Clone());
            }
        }
    }

    public override Task<RetrainingPolicy> SetPolicy(SetRetrainingPolicyRequest request, ServerCallContext context)
    {
        PoliciesSet.Enqueue(request);
        if (SetPolicyError is { } error)
        {
            throw new RpcException(error);
        }

        var policy = request.Policy.Clone();
        lock (_lock)
        {
            var now = Timestamp.FromDateTimeOffset(RetrainingFixtures.Start);
            policy.CreatedAt = _policies.TryGetValue(policy.Model, out var previous) ? previous.CreatedAt : now;
            policy.UpdatedAt = now;
            _policies[policy.Model] = policy;
            return Task.FromResult(policy.Clone());
        }
    }

    public override Task<RetrainingPolicy> GetPolicy(GetRetrainingPolicyRequest request, ServerCallContext context)
    {
        lock (_lock)
        {
            return Task.FromResult(FindPolicy(request.Model).Clone());
        }
    }

    public override Task<ListRetrainingPoliciesResponse> ListPolicies(ListRetrainingPoliciesRequest request, ServerCallContext context)
    {
        var response = new ListRetrainingPoliciesResponse();
        lock (_lock)
        {
            response.Policies.Add(_policies.Values.OrderBy(p => p.Model, StringComparer.Ordinal).Select(p => p.Clone()));
        }

        return Task.FromResult(response);
    }

    public override Task<DeleteRetrainingPolicyResponse> DeletePolicy(DeleteRetrainingPolicyRequest request, ServerCallContext context)
    {
        PoliciesDeleted.Enqueue(request);
        lock (_lock)
        {
            FindPolicy(request.Model);
            _policies.Remove(request.Model);
        }

        return Task.FromResult(new DeleteRetrainingPolicyResponse());
    }

    public override Task<RetrainingRun> TriggerRetraining(TriggerRetrainingRequest request, ServerCallContext context)
    {
        Triggers.Enqueue(request);
        lock (_lock)
        {
            var policy = FindPolicy(request.Model);
            if (_runs.FirstOrDefault(r => r.Model == request.Model && !IsFinished(r.State)) is { } active)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition,
                    $"model {request.Model} has an active retraining run {active.Id} ({active.State})"));
            }

            var run = RetrainingFixtures.Run($"rr-{_runs.Count + 1}", request.Model, RetrainingRunState.Training, "manual",
                RetrainingFixtures.Decision(0, "trigger", $"manual trigger by {context.RequestHeaders.GetValue("x-mlops-user")}: {request.Reason}",
                    ("reason", request.Reason)));
            run.Deployment = policy.Deployment.Length > 0 ? policy.Deployment : policy.Model;
            _runs.Add(run);
            return Task.FromResult(run.Clone());
        }
    }

    public override Task<ListRetrainingRunsResponse> ListRuns(ListRetrainingRunsRequest request, ServerCallContext context)
    {
        RunLists.Enqueue(request);
        var response = new ListRetrainingRunsResponse();
        lock (_lock)
        {
            response.Runs.Add(Enumerable.Reverse(_runs)
                .Where(r => request.Model.Length == 0 || r.Model == request.Model)
                .Take(request.Limit > 0 ? request.Limit : 50)
                .Select(r => r.Clone()));
        }

        return Task.FromResult(response);
    }

    public override Task<RetrainingRun> GetRun(GetRetrainingRunRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref _gets);
        if (GetRunErrors.TryDequeue(out var error))
        {
            throw new RpcException(error);
        }

        lock (_lock)
        {
            var index = _runs.FindIndex(r => r.Id == request.Id);
            if (index < 0)
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"retraining run {request.Id} not found"));
            }

            if (_upcoming.TryGetValue(request.Id, out var queue) && queue.Count > 0)
            {
                _runs[index] = queue.Dequeue();
            }

            return Task.FromResult(_runs[index].Clone());
        }
    }

    private RetrainingPolicy FindPolicy(string model) => _policies.TryGetValue(model, out var policy)
        ? policy
        : throw new RpcException(new Status(StatusCode.NotFound, $"model {model} has no retraining policy"));

    private static bool IsFinished(RetrainingRunState state) =>
        state is RetrainingRunState.Promoted or RetrainingRunState.Rejected or RetrainingRunState.RolledBack or RetrainingRunState.Failed;
}
