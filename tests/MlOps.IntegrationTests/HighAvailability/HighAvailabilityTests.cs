using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.IntegrationTests.HighAvailability;

/// <summary>
/// Coordinator high availability with real processes, a real Consul agent and a real PostgreSQL server on loopback:
/// two coordinators elect one leader, the follower redirects, a SIGKILLed leader is replaced within 15 s, and a job
/// survives SIGKILL of its agent and of the leader without running twice at once.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class HighAvailabilityTests
{
    [Fact]
    public async Task TwoCoordinators_ElectOneLeader_FollowerRedirects_AndAKilledLeaderIsReplacedWithin15Seconds()
    {
        await using var consul = await ConsulAgent.StartAsync();
        await using var postgres = await PostgresServer.StartAsync();
        await using var cluster = await HaCluster.StartAsync(consul, postgres, coordinators: 2);

        var leader = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
        var follower = 1 - leader;
        await cluster.Coordinator(follower)!.WaitForLineAsync("contends for leadership", TimeSpan.FromSeconds(30));

        // The follower refuses with the leader's address; it never leads while the leader lives.
        using (var direct = GrpcChannel.ForAddress(cluster.Addresses[follower]))
        {
            var refused = await Assert.ThrowsAsync<RpcException>(() =>
                new JobService.JobServiceClient(direct).SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("refused") }).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.Equal(cluster.Addresses[leader], refused.Trailers.GetValue(MlOps.Contracts.LeaderRedirect.TrailerKey));
        }

        Assert.DoesNotContain(" leads (lock index", cluster.Coordinator(follower)!.Output, StringComparison.Ordinal);
        Assert.Contains(" leads (lock index", cluster.Coordinator(leader)!.Output, StringComparison.Ordinal);

        // A client that knows both addresses reaches the leader, wherever it starts.
        var submitted = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("queued-before-failover") });

        var killedAt = Stopwatch.StartNew();
        await cluster.Coordinator(leader)!.KillHardAsync();
        var next = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(15), notAddress: cluster.Addresses[leader]);
        var failover = killedAt.Elapsed;

        Assert.Equal(follower, next);
        Assert.True(failover < TimeSpan.FromSeconds(15), $"failover took {failover}");
        // The new leader has the old leader's state (the shared database): the queued job is still there.
        var job = await cluster.Jobs.GetJobAsync(new GetJobRequest { JobId = submitted.Job.Id });
        Assert.Equal(JobState.Queued, job.State);

        // The killed coordinator comes back as a follower.
        cluster.StartCoordinator(leader);
        await cluster.Coordinator(leader)!.WaitForLineAsync("contends for leadership", TimeSpan.FromSeconds(60));
        Assert.Equal(cluster.Addresses[follower], await cluster.LeaderAsync());
    }

    [Fact]
    public async Task AFrozenLeader_IsReplaced_AndWhenItWakesItStopsWithoutWriting()
    {
        await using var consul = await ConsulAgent.StartAsync();
        await using var postgres = await PostgresServer.StartAsync();
        await using var cluster = await HaCluster.StartAsync(consul, postgres, coordinators: 2);
        var old = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30));
        await cluster.Coordinator(1 - old)!.WaitForLineAsync("contends for leadership", TimeSpan.FromSeconds(30));

        // SIGSTOP: the leader hangs with its sockets open, as a stalled VM would; its health check fails and it loses
        // the lock without knowing. The other coordinator takes over and claims the store's writes.
        cluster.Coordinator(old)!.Pause();
        var next = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(30), notAddress: cluster.Addresses[old]);
        await cluster.Coordinator(next)!.WaitForLineAsync("store write epoch", TimeSpan.FromSeconds(10));

        // Woken, the old leader finds out (lock watch or a fenced write) and exits so it can restart as a follower.
        cluster.Coordinator(old)!.Resume();
        var exitCode = await cluster.Coordinator(old)!.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 75, $"the old leader exited with {exitCode}\n{cluster.Diagnostics()}");
        Assert.Contains("Lost the leadership", cluster.Coordinator(old)!.Output, StringComparison.Ordinal);
        Assert.Equal(cluster.Addresses[next], await cluster.LeaderAsync());
        Assert.NotNull(await cluster.Cluster.ListAgentsAsync(new ListAgentsRequest()));
    }

    [Fact]
    public async Task AJob_SurvivesSigkillOfItsAgentAndOfTheLeader_AndSucceedsOnce()
    {
        await using var consul = await ConsulAgent.StartAsync();
        await using var postgres = await PostgresServer.StartAsync();
        await using var cluster = await HaCluster.StartAsync(consul, postgres, coordinators: 2, trainCount: 6000);
        await cluster.StartAgentAsync("a1");

        var spec = Specs.TinyMlp("survivor", epochs: 60);
        spec.MaxAttempts = 3;
        spec.Checkpoint = new CheckpointPolicy { EverySteps = 100 };
        var jobId = (await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = spec })).Job.Id;
        var checkpointed = await cluster.WaitForJobAsync(jobId, j => j.State == JobState.Running && j.LastCheckpoint is not null, TimeSpan.FromSeconds(90));
        Assert.Equal(1, checkpointed.LastCheckpoint.Attempt);

        // A second agent joins; the first dies with its job: the job moves there as attempt 2.
        await cluster.StartAgentAsync("a2");
        await cluster.Agent("a1").KillHardAsync();
        var moved = await cluster.WaitForJobAsync(jobId, j => j.State == JobState.Running && j.AgentId == "a2" && j.Attempt == 2, TimeSpan.FromSeconds(60));

        // The leader dies while attempt 2 runs: the other coordinator takes over and a2 carries on with the same attempt.
        var leader = cluster.IndexOf((await cluster.LeaderAsync())!);
        var leaderKilledAt = DateTime.UtcNow;
        await cluster.Coordinator(leader)!.KillHardAsync();
        var next = await cluster.WaitForLeaderAsync(TimeSpan.FromSeconds(15), notAddress: cluster.Addresses[leader]);

        var done = await cluster.WaitForJobAsync(jobId, j => j.State is JobState.Succeeded or JobState.Failed, TimeSpan.FromMinutes(4));
        Assert.True(done.State == JobState.Succeeded, $"job ended {done.State}: {done.FailureReason}\n{cluster.Diagnostics()}");
        Assert.Equal(2, done.Attempt);
        Assert.Equal("a2", done.AgentId);

        // Exactly one model version came out of it, and attempt 1 never reported after it was given up.
        var versions = await cluster.Models.ListModelVersionsAsync(new ListModelVersionsRequest { Model = "survivor" });
        Assert.Single(versions.Versions);
        Assert.Equal(jobId, versions.Versions[0].Lineage.JobId);
        Assert.Equal(moved.Attempt, done.Attempt);
        Assert.True(done.FinishedAt.ToDateTime() > leaderKilledAt, $"the job finished at {done.FinishedAt}, before the leader was killed at {leaderKilledAt:O}");
        Assert.Contains($"Connected to coordinator {cluster.Addresses[next]}", cluster.Agent("a2").Output, StringComparison.Ordinal);
        Assert.DoesNotContain("attempt 1 started", cluster.Agent("a2").Output, StringComparison.Ordinal);

        // Attempt 2 did not start over: it resumed from attempt 1's checkpoint.
        using var watch = cluster.Jobs.WatchJob(new WatchJobRequest { JobId = jobId }, deadline: DateTime.UtcNow.AddSeconds(30));
        var logs = new List<string>();
        await foreach (var e in watch.ResponseStream.ReadAllAsync())
        {
            if (e.Log is { } line)
            {
                logs.Add(line.Text);
            }
        }

        Assert.Contains(logs, l => l.Contains("resumed from checkpoint", StringComparison.Ordinal));
    }
}
