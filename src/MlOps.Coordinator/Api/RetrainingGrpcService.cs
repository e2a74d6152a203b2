using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Retraining;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Api;

/// <summary><c>RetrainingService</c>: policies in, runs out; the <see cref="RetrainingController"/> does the work.</summary>
internal sealed class RetrainingGrpcService(IRetrainingStore store, IRegistryStore registry, RetrainingController controller, TimeProvider time)
    : RetrainingService.RetrainingServiceBase
{
    public const int DefaultRunLimit = 50;
    public const int MaxRunLimit = 500;

    public override async Task<RetrainingPolicy> SetPolicy(SetRetrainingPolicyRequest request, ServerCallContext context)
    {
        var policy = request.Policy?.Clone() ?? new RetrainingPolicy();
        var errors = RetrainingPolicies.Validate(policy);
        if (errors.Count > 0)
        {
            throw RpcErrors.InvalidArgument(errors);
        }

        if (await registry.ListModelVersionsAsync(policy.Model, context.CancellationToken) is null)
        {
            RpcErrors.ThrowNotFound<RetrainingPolicy>("model", $"model '{policy.Model}' is not in the registry");
        }

        var now = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        var existing = await store.GetRetrainingPolicyAsync(policy.Model, context.CancellationToken);
        policy.CreatedAt = existing?.CreatedAt ?? now;
        policy.UpdatedAt = now;
        await store.PutRetrainingPolicyAsync(policy, context.CancellationToken);
        controller.Wake();
        return policy;
    }

    public override async Task<RetrainingPolicy> GetPolicy(GetRetrainingPolicyRequest request, ServerCallContext context)
    {
        RpcErrors.RequireId(request.Model, "model");
        return await store.GetRetrainingPolicyAsync(request.Model, context.CancellationToken)
            ?? RpcErrors.ThrowNotFound<RetrainingPolicy>("model", $"model '{request.Model}' has no retraining policy");
    }

    public override async Task<ListRetrainingPoliciesResponse> ListPolicies(ListRetrainingPoliciesRequest request, ServerCallContext context)
    {
        var response = new ListRetrainingPoliciesResponse();
        response.Policies.AddRange(await store.ListRetrainingPoliciesAsync(context.CancellationToken));
        return response;
    }

    public override async Task<DeleteRetrainingPolicyResponse> DeletePolicy(DeleteRetrainingPolicyRequest request, ServerCallContext context)
    {
        RpcErrors.RequireId(request.Model, "model");
        if (!await store.DeleteRetrainingPolicyAsync(request.Model, context.CancellationToken))
        {
            RpcErrors.ThrowNotFound<bool>("model", $"model '{request.Model}' has no retraining policy");
        }

        return new DeleteRetrainingPolicyResponse();
    }

    public override async Task<RetrainingRun> TriggerRetraining(TriggerRetrainingRequest request, ServerCallContext context)
    {
        RpcErrors.RequireId(request.Model, "model");
        try
        {
            return await controller.TriggerAsync(request.Model, request.Reason.Trim(), context.CancellationToken);
        }
        catch (RetrainingException ex)
        {
            throw ex.Kind switch
            {
                RetrainingError.NotFound => new RpcException(new Status(StatusCode.NotFound, $"{ex.Field}: {ex.Message}")),
                RetrainingError.FailedPrecondition => new RpcException(new Status(StatusCode.FailedPrecondition, $"{ex.Field}: {ex.Message}")),
                _ => RpcErrors.InvalidArgument([new MlOps.Core.Jobs.FieldError(ex.Field, ex.Message)]),
            };
        }
    }

    public override async Task<ListRetrainingRunsResponse> ListRuns(ListRetrainingRunsRequest request, ServerCallContext context)
    {
        if (request.Limit is < 0 or > MaxRunLimit)
        {
            RpcErrors.ThrowInvalidArgument("limit", $"must be between 1 and {MaxRunLimit} (0: {DefaultRunLimit}), got {request.Limit}");
        }

        var response = new ListRetrainingRunsResponse();
        response.Runs.AddRange(await store.ListRetrainingRunsAsync(request.Model, request.Limit > 0 ? request.Limit : DefaultRunLimit, context.CancellationToken));
        return response;
    }

    public override async Task<RetrainingRun> GetRun(GetRetrainingRunRequest request, ServerCallContext context)
    {
        RpcErrors.RequireId(request.Id, "id");
        return await store.GetRetrainingRunAsync(request.Id, context.CancellationToken)
            ?? RpcErrors.ThrowNotFound<RetrainingRun>("id", $"retraining run '{request.Id}' not found");
    }
}
