using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Storage;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Api;

/// <summary><c>JobService</c>: submit, query, cancel and watch training jobs. Maps domain errors to gRPC status codes.</summary>
internal sealed class JobGrpcService(
    JobSubmitter submitter,
    JobCanceller canceller,
    JobWatcher watcher,
    ICoordinatorStore store,
    MlOps.Coordinator.Scheduling.WaitingReasons waiting,
    IHostApplicationLifetime lifetime) : JobService.JobServiceBase
{
    /// <summary>Request header naming the calling user; the owner of a spec that leaves it empty.</summary>
    public const string UserHeader = "x-mlops-user";

    public override async Task<SubmitJobResponse> SubmitJob(SubmitJobRequest request, ServerCallContext context)
    {
        if (request.Spec is null)
        {
            RpcErrors.ThrowInvalidArgument("spec", "is required");
        }

        try
        {
            if (!string.IsNullOrEmpty(request.JobId) && !MlOps.Core.Jobs.JobIdGenerator.IsValid(request.JobId))
            {
                RpcErrors.ThrowInvalidArgument("job_id", $"must be empty or 'j-' and 16 lowercase Crockford base32 digits, got '{request.JobId}'");
            }

            // Authenticated callers submit as themselves; only an admin (everyone, with authentication off) may name
            // another owner.
            var caller = MlOps.Coordinator.Access.Caller.Of(context);
            if (!caller.IsAdmin && !string.IsNullOrEmpty(request.Spec.Owner) && request.Spec.Owner != caller.Principal)
            {
                throw new RpcException(new Status(StatusCode.PermissionDenied,
                    $"spec.owner: '{request.Spec.Owner}' is not you ({caller.Principal}); only an admin submits jobs for others"));
            }

            var job = await submitter.SubmitAsync(request.Spec, caller.Principal, context.CancellationToken, request.JobId);
            return new SubmitJobResponse { Job = job };
        }
        catch (SpecValidationException ex)
        {
            throw RpcErrors.InvalidArgument(ex.Errors);
        }
        catch (JobIdTakenException ex)
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, ex.Message));
        }
    }

    public override async Task<Job> GetJob(GetJobRequest request, ServerCallContext context)
    {
        RpcErrors.RequireId(request.JobId, "job_id");
        return waiting.Annotate(await store.GetJobAsync(request.JobId, context.CancellationToken)
            ?? RpcErrors.ThrowNotFound<Job>("job_id", $"job '{request.JobId}' not found"));
    }

    public override async Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        var errors = new List<FieldError>();
        for (var i = 0; i < request.States.Count; i++)
        {
            if (request.States[i] == JobState.Unspecified || !Enum.IsDefined(request.States[i]))
            {
                errors.Add(new FieldError($"states[{i}]", $"is not a job state: {request.States[i]}"));
            }
        }

        if (request.PageSize < 0)
        {
            errors.Add(new FieldError("page_size", $"must be zero (the default, {JobQuery.DefaultPageSize}) or positive, got {request.PageSize}"));
        }

        if (errors.Count > 0)
        {
            throw RpcErrors.InvalidArgument(errors);
        }

        try
        {
            var page = await store.ListJobsAsync(
                new JobQuery([.. request.States], request.Owner, request.PageSize, request.PageToken), context.CancellationToken);
            var response = new ListJobsResponse { NextPageToken = page.NextPageToken };
            response.Jobs.AddRange(page.Jobs.Select(waiting.Annotate));
            return response;
        }
        catch (InvalidPageTokenException ex)
        {
            throw RpcErrors.InvalidArgument([new FieldError("page_token", ex.Message)]);
        }
    }

    public override async Task<Job> CancelJob(CancelJobRequest request, ServerCallContext context)
    {
        RpcErrors.RequireId(request.JobId, "job_id");
        var caller = MlOps.Coordinator.Access.Caller.Of(context);
        if (!caller.IsAdmin)
        {
            var job = await store.GetJobAsync(request.JobId, context.CancellationToken)
                ?? RpcErrors.ThrowNotFound<Job>("job_id", $"job '{request.JobId}' not found");
            if (job.Spec.Owner != caller.Principal)
            {
                throw new RpcException(new Status(StatusCode.PermissionDenied,
                    $"job_id: job '{job.Id}' belongs to {job.Spec.Owner}; {caller.Principal} may cancel only its own jobs (an admin may cancel any)"));
            }
        }

        try
        {
            return await canceller.CancelAsync(request.JobId, request.Reason, context.CancellationToken);
        }
        catch (JobNotFoundException ex)
        {
            return RpcErrors.ThrowNotFound<Job>("job_id", ex.Message);
        }
        catch (JobFinishedException ex)
        {
            return RpcErrors.ThrowFailedPrecondition<Job>("job_id",
                $"job '{ex.Job.Id}' has already finished ({ex.Job.State}); only a queued, assigned or running job can be cancelled");
        }
    }

    public override async Task WatchJob(WatchJobRequest request, IServerStreamWriter<JobEvent> responseStream, ServerCallContext context)
    {
        RpcErrors.RequireId(request.JobId, "job_id");
        if (request.FromSeq < 0)
        {
            RpcErrors.ThrowInvalidArgument("from_seq", $"must be zero (the whole history) or positive, got {request.FromSeq}");
        }

        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await watcher.WatchAsync(request.JobId, request.FromSeq, e => responseStream.WriteAsync(e, stopping.Token), stopping.Token);
        }
        catch (JobNotFoundException ex)
        {
            _ = RpcErrors.ThrowNotFound<JobEvent>("job_id", ex.Message);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            RpcErrors.ThrowUnavailable("the coordinator is shutting down; watch again with from_seq set to the last seq received");
        }
    }
}
