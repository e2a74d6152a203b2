using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Deployments;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Api;

/// <summary>
/// <c>DeploymentService</c>: desired state in (<see cref="DeploymentCommands"/>), observed state out — the stored
/// deployment merged with the reconciler's live view of its replicas.
/// </summary>
internal sealed class DeploymentGrpcService(DeploymentCommands commands, DeploymentReconciler reconciler, IDeploymentStore store)
    : DeploymentService.DeploymentServiceBase
{
    public override Task<Deployment> Deploy(DeployRequest request, ServerCallContext context) =>
        MapErrors(() => commands.DeployAsync(request.Spec, context.CancellationToken));

    public override Task<Deployment> Rollback(RollbackRequest request, ServerCallContext context) =>
        MapErrors(() => commands.RollbackAsync(request.Name, request.ToRevision, context.CancellationToken));

    public override async Task<Deployment> GetDeployment(GetDeploymentRequest request, ServerCallContext context)
    {
        var stored = await store.GetDeploymentAsync(request.Name, context.CancellationToken)
            ?? RpcErrors.ThrowNotFound<Deployment>("name", $"deployment '{request.Name}' not found");
        return WithLiveState(stored);
    }

    public override async Task<ListDeploymentsResponse> ListDeployments(ListDeploymentsRequest request, ServerCallContext context)
    {
        var response = new ListDeploymentsResponse();
        response.Deployments.AddRange((await store.ListDeploymentsAsync(context.CancellationToken)).Select(WithLiveState));
        return response;
    }

    public override async Task<DeleteDeploymentResponse> DeleteDeployment(DeleteDeploymentRequest request, ServerCallContext context)
    {
        await MapErrors(async () =>
        {
            await commands.DeleteAsync(request.Name, context.CancellationToken);
            return true;
        });
        return new DeleteDeploymentResponse();
    }

    /// <summary>
    /// The reconciler's view when it has seen this revision and spec. One it has not seen yet (a deploy or rollback a
    /// moment ago) is the stored record with the live replicas (their readiness is about what agents route now, which
    /// has not changed) and PROGRESSING, so a waiting client never takes the previous pass for this one.
    /// </summary>
    private Deployment WithLiveState(Deployment stored)
    {
        if (reconciler.Live(stored.Spec.Name) is not { } live)
        {
            return stored;
        }

        if (live.Revision == stored.Revision && live.Spec.Equals(stored.Spec))
        {
            return live;
        }

        var merged = stored.Clone();
        merged.Replicas.Clear();
        merged.Replicas.AddRange(live.Replicas);
        merged.Phase = DeploymentPhase.Progressing;
        merged.Message = $"revision {stored.Revision} accepted; the reconciler is applying it";
        return merged;
    }

    private static async Task<T> MapErrors<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (DeploymentException ex)
        {
            throw ex.Kind switch
            {
                DeploymentError.InvalidArgument => RpcErrors.InvalidArgument(ex.Errors),
                DeploymentError.NotFound => new RpcException(new Status(StatusCode.NotFound, ex.Message)),
                _ => new RpcException(new Status(StatusCode.FailedPrecondition, ex.Message)),
            };
        }
    }
}
