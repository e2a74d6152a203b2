using Grpc.Core;
using MlOps.Contracts;
using MlOps.Testing;
using Xunit.Abstractions;

namespace MlOps.IntegrationTests.HighAvailability;

/// <summary>
/// Chaos: two coordinators (one leading) on real PostgreSQL and Consul, three agents, thirty short jobs, and every few
/// seconds a random SIGKILL of an agent or a coordinator, which comes back a moment later as a service manager would
/// bring it back. At the end every job has succeeded exactly once (one registered model version, from that job) or
/// failed with a reason after its attempts ran out, and the store is consistent.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
[Trait("Category", "Chaos")]
public sealed class ChaosTests(ITestOutputHelper output)
{
    private const int Jobs = 30;
    private const int MaxAttempts = 6;

    [Fact]
    public async Task RandomSigkillsOfAgentsAndCoordinators_EveryJobSucceedsOnceOrFailsWithAReason_AndTheStoreIsConsistent()
    {
        await using var consul = await ConsulAgent.StartAsync();
        await using var postgres = await PostgresServer.StartAsync();
        await using var cluster = await HaCluster.StartAsync(consul, postgres, coordinators: 2, trainCount: 3000);
        string[] agents = ["c1", "c2", "c3"];
        foreach (var agent in agents)
        {
            await cluster.StartAgentAsync(agent);
        }

        var ids = new List<string>();
        for (var i = 0; i < Jobs; i++)
        {
            var spec = Specs.TinyMlp($"chaos-{i:D2}", epochs: 10, hidden: 32);
            spec.MaxAttempts = MaxAttempts;
            spec.Checkpoint = new CheckpointPolicy { EverySteps = 60 };
            ids.Add((await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = spec })).Job.Id);
        }

        // Kill something every 2-4 s while jobs run (the second kill is always the leader); what was killed restarts
        // 1-2 s later.
        var seed = Environment.TickCount;
        var random = new Random(seed);
        var kills = new List<string>();
        var chaosEnds = DateTime.UtcNow + TimeSpan.FromSeconds(50);
        while (DateTime.UtcNow < chaosEnds && !await AllTerminalAsync(cluster, ids))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(2000, 4000)));
            if (kills.Count == 1 || random.Next(3) == 0)
            {
                var index = kills.Count == 1 ? Math.Max(0, cluster.IndexOf(await cluster.LeaderAsync() ?? "")) : random.Next(2);
                kills.Add($"coordinator-{index}{(await cluster.LeaderAsync() == cluster.Addresses[index] ? " (leader)" : "")}");
                await cluster.Coordinator(index)!.KillHardAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1000, 2000)));
                cluster.StartCoordinator(index);
            }
            else
            {
                var agent = agents[random.Next(agents.Length)];
                kills.Add("agent-" + agent);
                await cluster.Agent(agent).KillHardAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(1000, 2000)));
                await cluster.StartAgentAsync(agent, waitConnected: false);
            }
        }

        output.WriteLine($"chaos seed {seed}; {kills.Count} kills: {string.Join(", ", kills)}");
        Assert.True(kills.Count >= 5, $"only {kills.Count} kills happened before the jobs finished: {string.Join(", ", kills)}");

        // Calm: everything finishes.
        await Eventually.Async(() => AllTerminalAsync(cluster, ids), TimeSpan.FromMinutes(6),
            () => $"jobs still running after the chaos (seed {seed}, kills {string.Join(", ", kills)})\n{cluster.Diagnostics()}");

        var succeeded = 0;
        foreach (var id in ids)
        {
            var job = await cluster.Jobs.GetJobAsync(new GetJobRequest { JobId = id }, deadline: DateTime.UtcNow.AddSeconds(50));
            var versions = (await cluster.Models.ListModelVersionsAsync(new ListModelVersionsRequest { Model = job.Spec.Name }, deadline: DateTime.UtcNow.AddSeconds(50))).Versions;
            if (job.State == JobState.Succeeded)
            {
                succeeded++;
                var version = Assert.Single(versions);
                Assert.Equal(id, version.Lineage.JobId);
            }
            else
            {
                Assert.True(job.State == JobState.Failed, $"job {id} ended {job.State}");
                Assert.Empty(versions);
                Assert.Contains($"of {MaxAttempts}", job.FailureReason, StringComparison.Ordinal);
            }

            Assert.InRange(job.Attempt - job.Preemptions, 1, MaxAttempts);
            await AssertConsistentHistoryAsync(cluster, job);
        }

        output.WriteLine($"{succeeded} of {Jobs} succeeded");
        // Nothing is left on an agent, and every agent is back.
        var listed = await cluster.Cluster.ListAgentsAsync(new ListAgentsRequest(), deadline: DateTime.UtcNow.AddSeconds(50));
        Assert.Equal(agents.Order(), listed.Agents.Select(a => a.AgentId).Order());
    }

    private static async Task<bool> AllTerminalAsync(HaCluster cluster, IReadOnlyCollection<string> ids)
    {
        try
        {
            var page = await cluster.Jobs.ListJobsAsync(new ListJobsRequest { PageSize = 100 }, deadline: DateTime.UtcNow.AddSeconds(50));
            return page.Jobs.Count(j => ids.Contains(j.Id) && j.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled) == ids.Count;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    /// <summary>The job's state changes form one path through the state machine: attempts only grow, an attempt starts
    /// at most once, nothing happens after the end, and it ends exactly once.</summary>
    private static async Task AssertConsistentHistoryAsync(HaCluster cluster, Job job)
    {
        using var call = cluster.Jobs.WatchJob(new WatchJobRequest { JobId = job.Id }, deadline: DateTime.UtcNow.AddSeconds(50));
        var changes = new List<StateChange>();
        await foreach (var e in call.ResponseStream.ReadAllAsync())
        {
            if (e.StateChange is { } change)
            {
                changes.Add(change);
            }
        }

        var state = JobState.Unspecified;
        var lastAttempt = 0;
        var started = new HashSet<int>();
        foreach (var change in changes)
        {
            Assert.True(change.From == state, $"job {job.Id}: change {change.From}->{change.To} while {state}: {string.Join(" | ", changes)}");
            if (change.To == JobState.Assigned)
            {
                Assert.True(change.Attempt > lastAttempt, $"job {job.Id}: attempt {change.Attempt} assigned after attempt {lastAttempt}");
                lastAttempt = change.Attempt;
            }

            if (change.To == JobState.Running)
            {
                Assert.True(started.Add(change.Attempt), $"job {job.Id}: attempt {change.Attempt} started twice");
            }

            state = change.To;
        }

        Assert.Equal(job.State, state);
        Assert.Single(changes, c => c.To is JobState.Succeeded or JobState.Failed);
    }
}
