using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>
/// TEST DOUBLE of the coordinator's JobService, for CLI tests only: jobs in memory, scripted event streams, and
/// every request and <c>x-mlops-user</c> header recorded. A job id <c>status-NAME</c> makes GetJob fail with
/// that gRPC status, so the exit code mapping can be checked over a real channel.
/// </summary>
internal sealed class FakeJobServiceForCliTests : JobService.JobServiceBase
{
    private int _nextId;

    public ConcurrentDictionary<string, Job> Jobs { get; } = new();

    public ConcurrentDictionary<string, List<JobEvent>> Events { get; } = new();

    public ConcurrentQueue<SubmitJobRequest> Submitted { get; } = new();

    public ConcurrentQueue<ListJobsRequest> Listed { get; } = new();

    public ConcurrentQueue<WatchJobRequest> Watched { get; } = new();

    public ConcurrentQueue<string> Users { get; } = new();

    /// <summary>Runs after a submitted job is stored, e.g. to script its events and final state.</summary>
    public Action<Job>? OnSubmitted { get; set; }

    /// <summary>When set, the first WatchJob call breaks with UNAVAILABLE right after sending this seq.</summary>
    public long? BreakFirstStreamAfterSeq { get; set; }

    public Job AddJob(string id, JobState state, string owner = "tester", params JobEvent[] events)
    {
        var job = new Job
        {
            Id = id,
            State = state,
            Spec = new JobSpec { Name = id + "-name", Owner = owner },
            CreatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)),
            LastEventSeq = events.Length == 0 ? 0 : events.Max(e => e.Seq),
        };
        Jobs[id] = job;
        Events[id] = [.. events];
        return job;
    }

    public override Task<SubmitJobResponse> SubmitJob(SubmitJobRequest request, ServerCallContext context)
    {
        Record(context);
        Submitted.Enqueue(request);
        var id = "job-" + Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var job = new Job { Id = id, Spec = request.Spec, State = JobState.Queued, CreatedAt = Timestamp.FromDateTime(DateTime.UtcNow) };
        Jobs[id] = job;
        Events.TryAdd(id, []);
        OnSubmitted?.Invoke(job);
        return Task.FromResult(new SubmitJobResponse { Job = job });
    }

    public override Task<Job> GetJob(GetJobRequest request, ServerCallContext context)
    {
        Record(context);
        if (request.JobId.StartsWith("status-", StringComparison.Ordinal))
        {
            var status = System.Enum.Parse<StatusCode>(request.JobId["status-".Length..]);
            throw new RpcException(new Status(status, $"scripted {status} for {request.JobId}"));
        }

        return Task.FromResult(Find(request.JobId));
    }

    public override Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        Record(context);
        Listed.Enqueue(request);
        var matching = Jobs.Values
            .Where(j => request.States.Count == 0 || request.States.Contains(j.State))
            .Where(j => request.Owner.Length == 0 || j.Spec.Owner == request.Owner)
            .OrderBy(j => j.Id, StringComparer.Ordinal)
            .ToList();
        var offset = request.PageToken.Length == 0 ? 0 : int.Parse(request.PageToken, CultureInfo.InvariantCulture);
        var size = request.PageSize == 0 ? 50 : request.PageSize;
        var response = new ListJobsResponse();
        response.Jobs.Add(matching.Skip(offset).Take(size));
        if (offset + size < matching.Count)
        {
            response.NextPageToken = (offset + size).ToString(CultureInfo.InvariantCulture);
        }

        return Task.FromResult(response);
    }

    public override Task<Job> CancelJob(CancelJobRequest request, ServerCallContext context)
    {
        Record(context);
        var job = Find(request.JobId);
        job.State = JobState.Cancelling;
        job.FailureReason = request.Reason;
        return Task.FromResult(job);
    }

    public override async Task WatchJob(WatchJobRequest request, IServerStreamWriter<JobEvent> responseStream, ServerCallContext context)
    {
        Record(context);
        var first = Watched.IsEmpty;
        Watched.Enqueue(request);
        Find(request.JobId);
        foreach (var jobEvent in Events[request.JobId].Where(e => e.Seq > request.FromSeq))
        {
            await responseStream.WriteAsync(jobEvent);
            if (first && BreakFirstStreamAfterSeq == jobEvent.Seq)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "scripted stream break"));
            }
        }
    }

    private Job Find(string id) =>
        Jobs.TryGetValue(id, out var job) ? job : throw new RpcException(new Status(StatusCode.NotFound, $"job {id} not found"));

    private void Record(ServerCallContext context) =>
        Users.Enqueue(context.RequestHeaders.GetValue("x-mlops-user") ?? "(none)");
}
