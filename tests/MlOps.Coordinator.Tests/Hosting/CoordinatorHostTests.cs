using Grpc.Core;
using Grpc.Health.V1;
using MlOps.Contracts;
using MlOps.Coordinator.Api;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Hosting;

/// <summary>The real host on a loopback port, called over a real gRPC channel, with a scripted agent on the real stream.</summary>
[Trait("Category", "Integration")]
public sealed class CoordinatorHostTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly string _dataset;

    public CoordinatorHostTests()
    {
        _dataset = FourPixelDataset.Write(_directory.Combine("tiny"));
    }

    private string DataDirectory => _directory.Combine("data");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task SubmitJob_ScriptedAgentRunsIt_SucceededWithMetricsAndWatchReplays()
    {
        await using var host = await CoordinatorHost.StartAsync(DataDirectory, _dataset);
        await using var agent = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1");
        Assert.Equal(TimeSpan.FromSeconds(5), agent.Welcome.HeartbeatInterval.ToTimeSpan());
        Assert.Equal(TimeSpan.FromSeconds(15), agent.Welcome.LeaseDuration.ToTimeSpan());

        var submitted = (await host.Jobs.SubmitJobAsync(
            new SubmitJobRequest { Spec = TestSpecs.Valid() }, new Metadata { { JobGrpcService.UserHeader, "alice" } })).Job;
        using var liveWatch = host.Jobs.WatchJob(new WatchJobRequest { JobId = submitted.Id });
        var live = ReadAllAsync(liveWatch);

        var assignment = await agent.NextAssignmentAsync();
        Assert.Equal(submitted.Id, assignment.JobId);
        Assert.Equal(1, assignment.Attempt);
        Assert.Equal(_dataset, assignment.DatasetPath);
        Assert.Equal(submitted.DatasetDigest, assignment.DatasetDigest);
        Assert.Equal(submitted.Spec, assignment.Spec);

        await agent.StartedAsync(assignment);
        await agent.ProgressAsync(assignment, 1, 5, 0.9);
        await agent.LogAsync(assignment, "epoch 1 half way");
        await agent.ProgressAsync(assignment, 1, 10, 0.5);
        var result = new JobResult { WeightsUri = "file:///tmp/w.bin", WeightsSha256 = "sha256:" + new string('b', 64), TrainSeconds = 1.5 };
        result.Metrics.Add("accuracy", 0.91);
        result.Metrics.Add("loss", 0.3);
        await agent.CompletedAsync(assignment, JobOutcome.Succeeded, result);

        var liveEvents = await live.WaitAsync(TimeSpan.FromSeconds(10));
        var job = await host.Jobs.GetJobAsync(new GetJobRequest { JobId = submitted.Id });
        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal("alice", job.Spec.Owner);
        Assert.Equal(0.91, job.Result.Metrics["accuracy"]);
        Assert.Equal(10, job.LastProgress.Step);
        Assert.NotNull(job.StartedAt);
        Assert.NotNull(job.FinishedAt);

        var all = await ReadAllAsync(host.Jobs.WatchJob(new WatchJobRequest { JobId = job.Id }));
        Assert.Equal(Enumerable.Range(1, (int)job.LastEventSeq).Select(i => (long)i), all.Select(e => e.Seq));
        Assert.Equal(all, liveEvents);
        Assert.Equal(
            [JobState.Queued, JobState.Assigned, JobState.Running, JobState.Succeeded],
            all.Where(e => e.PayloadCase == JobEvent.PayloadOneofCase.StateChange).Select(e => e.StateChange.To));
        Assert.Contains(all, e => e.PayloadCase == JobEvent.PayloadOneofCase.Log && e.Log.Text == "epoch 1 half way");
        Assert.Equal(0.91, all.Single(e => e.PayloadCase == JobEvent.PayloadOneofCase.Metrics).Metrics.Values["accuracy"]);

        var tail = await ReadAllAsync(host.Jobs.WatchJob(new WatchJobRequest { JobId = job.Id, FromSeq = 3 }));
        Assert.Equal(all.Skip(3), tail);

        var agents = (await host.Cluster.ListAgentsAsync(new ListAgentsRequest())).Agents;
        var info = Assert.Single(agents);
        Assert.Equal(AgentStatus.Connected, info.Status);
        Assert.Empty(info.RunningJobIds);
        Assert.Equal(4, info.Free.CpuCores);
    }

    [Fact]
    public async Task CancelJob_RunningOnScriptedAgent_CancellationReachesAgentAndJobCancelled()
    {
        await using var host = await CoordinatorHost.StartAsync(DataDirectory, _dataset);
        await using var agent = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1", cpuCores: 2);
        var submitted = (await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = TestSpecs.Valid(cpuCores: 2) })).Job;
        var assignment = await agent.NextAssignmentAsync();
        await agent.StartedAsync(assignment);
        await WaitForStateAsync(host, submitted.Id, JobState.Running);
        var busy = Assert.Single((await host.Cluster.ListAgentsAsync(new ListAgentsRequest())).Agents);
        Assert.Equal([submitted.Id], busy.RunningJobIds);
        Assert.Equal(0, busy.Free.CpuCores);

        var cancelling = await host.Jobs.CancelJobAsync(new CancelJobRequest { JobId = submitted.Id, Reason = "wrong learning rate" });
        var cancellation = await agent.NextCancellationAsync(TimeSpan.FromSeconds(3));

        Assert.Equal(JobState.Cancelling, cancelling.State);
        Assert.Equal(submitted.Id, cancellation.JobId);
        Assert.Equal(1, cancellation.Attempt);
        Assert.Equal("wrong learning rate", cancellation.Reason);

        await agent.CompletedAsync(assignment, JobOutcome.Cancelled, message: "stopped by signal");
        var cancelled = await WaitForStateAsync(host, submitted.Id, JobState.Cancelled);
        Assert.NotNull(cancelled.FinishedAt);
        var again = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Jobs.CancelJobAsync(new CancelJobRequest { JobId = submitted.Id }));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
    }

    [Fact]
    public async Task Restart_SameDataDirectory_KeepsEveryJobAndItsEvents()
    {
        List<JobEvent> before;
        Job finished, queued;
        await using (var host = await CoordinatorHost.StartAsync(DataDirectory, _dataset))
        {
            await using (var agent = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1"))
            {
                var once = TestSpecs.Valid("first");
                once.MaxAttempts = 1; // fail at once, no retry
                finished = (await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = once })).Job;
                var assignment = await agent.NextAssignmentAsync();
                await agent.StartedAsync(assignment);
                await agent.ProgressAsync(assignment, 1, 3, 0.7);
                await agent.CompletedAsync(assignment, JobOutcome.Failed, message: "loss became NaN");
                finished = await WaitForStateAsync(host, finished.Id, JobState.Failed);
            }

            queued = (await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = TestSpecs.Valid("second", cpuCores: 64) })).Job;
            before = await ReadAllAsync(host.Jobs.WatchJob(new WatchJobRequest { JobId = finished.Id }));
        }

        await using var restarted = await CoordinatorHost.StartAsync(DataDirectory, _dataset);

        Assert.Equal(finished, await restarted.Jobs.GetJobAsync(new GetJobRequest { JobId = finished.Id }));
        var queuedAfter = await restarted.Jobs.GetJobAsync(new GetJobRequest { JobId = queued.Id });
        queuedAfter.WaitingReason = ""; // live scheduler state, not stored: it may or may not be there yet
        Assert.Equal(queued, queuedAfter);
        Assert.Equal(before, await ReadAllAsync(restarted.Jobs.WatchJob(new WatchJobRequest { JobId = finished.Id })));
        var listed = await restarted.Jobs.ListJobsAsync(new ListJobsRequest());
        Assert.Equal([queued.Id, finished.Id], listed.Jobs.Select(j => j.Id));
        Assert.Contains("loss became NaN", finished.FailureReason);
        var agent1 = Assert.Single((await restarted.Cluster.ListAgentsAsync(new ListAgentsRequest())).Agents);
        Assert.Equal(AgentStatus.Disconnected, agent1.Status);
    }

    [Fact]
    public async Task Connect_SameAgentIdTwice_NewestWinsAndOlderStreamAborted()
    {
        await using var host = await CoordinatorHost.StartAsync(DataDirectory, _dataset);
        await using var first = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1");

        await using var second = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1");

        var status = await first.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(StatusCode.Aborted, status.StatusCode);
        Assert.Contains("newer connection", status.Detail);
        await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = TestSpecs.Valid() });
        Assert.Equal(1, (await second.NextAssignmentAsync()).Attempt);
    }

    [Fact]
    public async Task Stop_AgentStreamAndWatchOpen_BothEndAndHostStopsPromptly()
    {
        var host = await CoordinatorHost.StartAsync(DataDirectory, _dataset);
        await using var agent = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1", cpuCores: 1);
        var job = (await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = TestSpecs.Valid() })).Job;
        await agent.NextAssignmentAsync();
        using var watcherChannel = Grpc.Net.Client.GrpcChannel.ForAddress(host.Address);
        using var watch = new JobService.JobServiceClient(watcherChannel).WatchJob(new WatchJobRequest { JobId = job.Id });
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        await host.DisposeAsync();

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopwatch.Elapsed}");
        var agentStatus = await agent.Closed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotEqual(StatusCode.OK, agentStatus.StatusCode);
        var ended = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await watch.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        });
        Assert.Equal(StatusCode.Unavailable, ended.StatusCode);
    }

    [Fact]
    public async Task Connect_FirstMessageNotHello_InvalidArgument()
    {
        await using var host = await CoordinatorHost.StartAsync(DataDirectory, _dataset);
        using var call = new AgentService.AgentServiceClient(host.Channel).Connect();

        await call.RequestStream.WriteAsync(new AgentMessage { Heartbeat = new Heartbeat() });
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("hello", ex.Status.Detail);
    }

    [Fact]
    public async Task SubmitJob_InvalidSpecOverTheWire_FieldErrorsInDetailAndTrailer()
    {
        await using var host = await CoordinatorHost.StartAsync(DataDirectory, _dataset);
        var spec = TestSpecs.Valid();
        spec.Dataset.Name = "unknown";
        spec.HyperParameters.BatchSize = 0;

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = spec }));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("hyper_parameters.batch_size: ", ex.Status.Detail);
        Assert.Contains("; dataset.name: ", ex.Status.Detail);
        Assert.Contains("\"field\":\"dataset.name\"", ex.Trailers.GetValue(RpcErrors.FieldErrorsTrailer));
        Assert.Empty((await host.Jobs.ListJobsAsync(new ListJobsRequest())).Jobs);
    }

    [Fact]
    public async Task Start_BadArtifactsSection_FailsListingEveryProblem()
    {
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            CoordinatorHost.StartAsync(DataDirectory, _dataset, "--Artifacts:Kind=registry", "--Artifacts:Url=http://registry.local:5000", "--Artifacts:Username=ci"));

        Assert.Contains(ex.Failures, f => f.StartsWith("Artifacts:Url", StringComparison.Ordinal) && f.Contains("Insecure"));
        Assert.Contains(ex.Failures, f => f.StartsWith("Artifacts:Username", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HealthCheck_Started_Serving()
    {
        await using var host = await CoordinatorHost.StartAsync(DataDirectory, _dataset);

        var response = await new Health.HealthClient(host.Channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
        Assert.True(File.Exists(Path.Combine(DataDirectory, "coordinator.db")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(DataDirectory, "logs")));
    }

    private static async Task<List<JobEvent>> ReadAllAsync(AsyncServerStreamingCall<JobEvent> call)
    {
        using (call)
        {
            var events = new List<JobEvent>();
            await foreach (var e in call.ResponseStream.ReadAllAsync())
            {
                events.Add(e);
            }

            return events;
        }
    }

    private static async Task<Job> WaitForStateAsync(CoordinatorHost host, string jobId, JobState state)
    {
        // Watching the job is the event-driven wait: the stream delivers each state change as it is stored.
        using var watch = host.Jobs.WatchJob(new WatchJobRequest { JobId = jobId }, deadline: DateTime.UtcNow.AddSeconds(10));
        await foreach (var e in watch.ResponseStream.ReadAllAsync())
        {
            if (e.PayloadCase == JobEvent.PayloadOneofCase.StateChange && e.StateChange.To == state)
            {
                break;
            }
        }

        return await host.Jobs.GetJobAsync(new GetJobRequest { JobId = jobId });
    }
}
