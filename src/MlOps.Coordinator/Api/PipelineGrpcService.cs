using Grpc.Core;
using MlOps.Contracts;
using MlOps.Contracts.Access;
using MlOps.Coordinator.Access;
using MlOps.Coordinator.Pipelines;
using MlOps.Coordinator.Storage;
using MlOps.Pipelines.Planning;
using MlOps.Pipelines.Specs;

namespace MlOps.Coordinator.Api;

/// <summary><c>PipelineService</c>: a pipeline's YAML in, parsed and planned here (every bad field at once), run by
/// <see cref="PipelineRunHost"/>; runs out of the store.</summary>
internal sealed class PipelineGrpcService(PipelineRunHost host, IPipelineStore store) : PipelineService.PipelineServiceBase
{
    public const int DefaultRunLimit = 50;
    public const int MaxRunLimit = 500;

    public override async Task<PipelineRun> RunPipeline(RunPipelineRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Yaml))
        {
            RpcErrors.ThrowInvalidArgument("yaml", "is required: the pipeline as YAML");
        }

        PipelinePlan plan;
        try
        {
            var spec = PipelineYaml.Parse(request.Yaml);
            plan = PipelinePlanner.Plan(spec, request.Parameters);
        }
        catch (PipelineSpecException ex)
        {
            throw RpcErrors.InvalidArgument(ex.Errors);
        }

        // As for jobs: authenticated callers run pipelines as themselves, and deploying needs the deployer role.
        var caller = Caller.Of(context);
        if (!caller.IsAdmin && request.Owner.Length > 0 && request.Owner != caller.Principal)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"owner: '{request.Owner}' is not you ({caller.Principal}); only an admin runs pipelines for others"));
        }

        if (plan.Steps.FirstOrDefault(s => s.Kind == StepKind.Deploy) is { } deploy
            && !caller.Role.IsAtLeast(AccessRole.Deployer))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"steps.{deploy.Name}: a deploy step needs the deployer role or above; {caller.Principal} has the {caller.Role.Name()} role"));
        }

        var owner = request.Owner.Length > 0 ? request.Owner : caller.Principal;
        return await host.StartAsync(plan, request.Yaml, owner, request.NoCache, context.CancellationToken);
    }

    public override async Task<PipelineRun> GetPipelineRun(GetPipelineRunRequest request, ServerCallContext context)
    {
        RpcErrors.RequireId(request.Id, "id");
        return await store.GetPipelineRunAsync(request.Id, context.CancellationToken)
            ?? RpcErrors.ThrowNotFound<PipelineRun>("id", $"pipeline run '{request.Id}' not found");
    }

    public override async Task<ListPipelineRunsResponse> ListPipelineRuns(ListPipelineRunsRequest request, ServerCallContext context)
    {
        if (request.Limit < 0)
        {
            RpcErrors.ThrowInvalidArgument("limit", $"must be 0 (the default, {DefaultRunLimit}) or more, got {request.Limit}");
        }

        var limit = request.Limit == 0 ? DefaultRunLimit : Math.Min(request.Limit, MaxRunLimit);
        var response = new ListPipelineRunsResponse();
        response.Runs.AddRange(await store.ListPipelineRunsAsync(request.Pipeline, limit, context.CancellationToken));
        return response;
    }

    public override async Task<PipelineRun> CancelPipelineRun(CancelPipelineRunRequest request, ServerCallContext context)
    {
        RpcErrors.RequireId(request.Id, "id");
        var caller = Caller.Of(context);
        if (!caller.IsAdmin)
        {
            var run = await store.GetPipelineRunAsync(request.Id, context.CancellationToken)
                ?? RpcErrors.ThrowNotFound<PipelineRun>("id", $"pipeline run '{request.Id}' not found");
            if (run.Owner != caller.Principal)
            {
                throw new RpcException(new Status(StatusCode.PermissionDenied,
                    $"id: pipeline run '{run.Id}' belongs to {run.Owner}; {caller.Principal} may cancel only its own runs (an admin may cancel any)"));
            }
        }

        try
        {
            return await host.CancelAsync(request.Id, context.CancellationToken);
        }
        catch (KeyNotFoundException ex)
        {
            return RpcErrors.ThrowNotFound<PipelineRun>("id", ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            return RpcErrors.ThrowFailedPrecondition<PipelineRun>("id", ex.Message);
        }
    }
}
