using System.Data.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using MlOps.Contracts;
using MlOps.Coordinator.Hosting;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Storage;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>
/// What every coordinator store must do, run against each implementation (SQLite and PostgreSQL) by a subclass that
/// supplies the store. Each test starts from an empty database of its own. This part: schema, jobs with their events,
/// agents and the health check; the registry and deployments are in the other parts.
/// </summary>
public abstract partial class CoordinatorStoreContractTests : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;

    protected FakeTimeProvider Time { get; } = new(TestCoordinator.Start);

    /// <summary>The schema version the implementation's last migration reaches.</summary>
    protected abstract int LatestSchemaVersion { get; }

    /// <summary>A new store over this test's database (every call another instance, the same database), not migrated.</summary>
    protected abstract ICoordinatorStore CreateStore();

    /// <summary>How many rows <c>schema_version</c> holds.</summary>
    protected abstract Task<long> CountSchemaVersionRowsAsync();

    /// <summary>Makes the database refuse every job event numbered <paramref name="seq"/> (a trigger that raises), as a
    /// failing disk or constraint would.</summary>
    protected abstract Task RefuseEventAsync(long seq);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [StoreFact]
    public async Task MigrateAsync_RunTwice_SchemaAtLatestAndDataKept()
    {
        using var store = await OpenAsync();
        var created = await CreateJobAsync(store, "j-1");

        await store.MigrateAsync(None);

        Assert.Equal(LatestSchemaVersion, await store.GetSchemaVersionAsync(None));
        Assert.NotNull(await store.GetJobAsync(created.Id, None));
        Assert.Equal(LatestSchemaVersion, await CountSchemaVersionRowsAsync());
    }

    [StoreFact]
    public async Task GetSchemaVersionAsync_EmptyDatabase_Zero()
    {
        using var store = CreateStore();

        Assert.Equal(0, await store.GetSchemaVersionAsync(None));
    }

    [StoreFact]
    public async Task CreateJobAsync_ThenGet_RoundTripsSpecStatusAndFirstEvent()
    {
        using var store = await OpenAsync();
        var spec = TestSpecs.Valid(priority: 7);
        spec.Owner = "alice";

        var update = await store.CreateJobAsync(JobTransitions.Create("j-1", spec, "sha256:" + new string('a', 64), 3, Time.GetUtcNow()), None);
        var loaded = await store.GetJobAsync("j-1", None);

        Assert.NotNull(loaded);
        Assert.Equal(update.Job, loaded);
        Assert.Equal(spec, loaded.Spec);
        Assert.Equal(JobState.Queued, loaded.State);
        Assert.Equal(1, loaded.LastEventSeq);
        var events = await store.ReadEventsAsync("j-1", 0, 100, None);
        var only = Assert.Single(events);
        Assert.Equal(1, only.Seq);
        Assert.Equal("j-1", only.JobId);
        Assert.Equal(JobState.Queued, only.StateChange.To);
    }

    [StoreFact]
    public async Task CreateJobAsync_DuplicateId_ThrowsAndFirstJobKept()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-1", owner: "alice");

        await Assert.ThrowsAnyAsync<DbException>(() => CreateJobAsync(store, "j-1", owner: "bob"));

        Assert.Equal("alice", (await store.GetJobAsync("j-1", None))!.Spec.Owner);
        Assert.Single(await store.ReadEventsAsync("j-1", 0, 100, None));
    }

    [StoreFact]
    public async Task GetJobAsync_UnknownJob_Null()
    {
        using var store = await OpenAsync();

        Assert.Null(await store.GetJobAsync("j-missing", None));
    }

    [StoreFact]
    public async Task UpdateJobAsync_StateChange_JobAndEventsWrittenTogether()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-1");

        var update = await store.UpdateJobAsync("j-1", JobTransitions.Assign("agent-1", Time.GetUtcNow()), None);

        Assert.NotNull(update);
        Assert.True(update.Changed);
        var job = await store.GetJobAsync("j-1", None);
        Assert.Equal(JobState.Assigned, job!.State);
        Assert.Equal(1, job.Attempt);
        Assert.Equal(2, job.LastEventSeq);
        var events = await store.ReadEventsAsync("j-1", 0, 100, None);
        Assert.Equal([1L, 2L], events.Select(e => e.Seq));
        Assert.Equal(JobState.Assigned, events[1].StateChange.To);
        Assert.Single(await store.ListActiveJobsOnAgentAsync("agent-1", None));
    }

    [StoreFact]
    public async Task UpdateJobAsync_EventInsertFails_StateChangeRolledBack()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-1");
        // The job row is updated before the events are inserted; a failing insert must undo that update.
        await RefuseEventAsync(2);

        await Assert.ThrowsAnyAsync<DbException>(() =>
            store.UpdateJobAsync("j-1", JobTransitions.Assign("agent-1", Time.GetUtcNow()), None));

        var job = await store.GetJobAsync("j-1", None);
        Assert.Equal(JobState.Queued, job!.State);
        Assert.Equal(0, job.Attempt);
        Assert.Equal(1, job.LastEventSeq);
        Assert.Single(await store.ReadEventsAsync("j-1", 0, 100, None));
    }

    [StoreFact]
    public async Task UpdateJobAsync_MutatorDeclines_NothingWritten()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-1");

        var update = await store.UpdateJobAsync("j-1", _ => null, None);

        Assert.False(update!.Changed);
        Assert.Single(await store.ReadEventsAsync("j-1", 0, 100, None));
    }

    [StoreFact]
    public async Task UpdateJobAsync_UnknownJob_Null()
    {
        using var store = await OpenAsync();

        Assert.Null(await store.UpdateJobAsync("j-missing", JobTransitions.Assign("a", Time.GetUtcNow()), None));
    }

    [StoreFact]
    public async Task UpdateJobAsync_MutationReturnsAnotherJob_ThrowsAndNothingWritten()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-1");

        await Assert.ThrowsAsync<InvalidOperationException>(() => store.UpdateJobAsync(
            "j-1", job => new JobMutation(new Job(job) { Id = "j-2" }, [new JobEvent { Log = new LogLine { Text = "x" } }]), None));

        Assert.Single(await store.ReadEventsAsync("j-1", 0, 100, None));
        Assert.Null(await store.GetJobAsync("j-2", None));
    }

    [StoreFact]
    public async Task ListJobsAsync_SeveralPages_NewestFirstWithoutGapsOrOverlap()
    {
        using var store = await OpenAsync();
        for (var i = 1; i <= 7; i++)
        {
            await CreateJobAsync(store, $"j-{i}");
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await store.ListJobsAsync(new JobQuery([], null, 3, token), None);
            seen.AddRange(page.Jobs.Select(j => j.Id));
            token = page.NextPageToken;
            pages++;
        }
        while (!string.IsNullOrEmpty(token));

        Assert.Equal(3, pages);
        Assert.Equal(["j-7", "j-6", "j-5", "j-4", "j-3", "j-2", "j-1"], seen);
    }

    [StoreFact]
    public async Task ListJobsAsync_StateAndOwnerFilters_OnlyMatchingJobs()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-1", owner: "alice");
        await CreateJobAsync(store, "j-2", owner: "bob");
        await CreateJobAsync(store, "j-3", owner: "alice");
        await store.UpdateJobAsync("j-3", JobTransitions.Cancel("test", Time.GetUtcNow()), None);

        var alice = await store.ListJobsAsync(new JobQuery([], "alice", 0, null), None);
        var queuedAlice = await store.ListJobsAsync(new JobQuery([JobState.Queued], "alice", 0, null), None);
        var finished = await store.ListJobsAsync(new JobQuery([JobState.Cancelled, JobState.Failed], null, 0, null), None);

        Assert.Equal(["j-3", "j-1"], alice.Jobs.Select(j => j.Id));
        Assert.Equal(["j-1"], queuedAlice.Jobs.Select(j => j.Id));
        Assert.Equal(["j-3"], finished.Jobs.Select(j => j.Id));
        Assert.Equal("", finished.NextPageToken);
    }

    [StoreFact]
    public async Task ListJobsAsync_ForeignPageToken_InvalidPageTokenException()
    {
        using var store = await OpenAsync();

        // Not base64url at all; and "jobs.v1:-1", well formed but a sequence the store never issues.
        foreach (var token in new[] { "not-a-token", "am9icy52MTotMQ" })
        {
            var ex = await Assert.ThrowsAsync<InvalidPageTokenException>(() => store.ListJobsAsync(new JobQuery([], null, 0, token), None));
            Assert.Equal(token, ex.Token);
        }
    }

    [StoreFact]
    public async Task ListJobsByStateAsync_Queued_OldestSubmissionFirst()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-b");
        await CreateJobAsync(store, "j-a");

        var queued = await store.ListJobsByStateAsync([JobState.Queued], None);
        var none = await store.ListJobsByStateAsync([], None);

        Assert.Equal(["j-b", "j-a"], queued.Select(j => j.Id));
        Assert.Empty(none);
    }

    [StoreFact]
    public async Task CountJobsByStateAsync_QueuedAndAssignedJobs_CountsOnlyStatesThatHaveJobs()
    {
        using var store = await OpenAsync();
        Assert.Empty(await store.CountJobsByStateAsync(None));
        await CreateJobAsync(store, "j-1");
        await CreateJobAsync(store, "j-2");
        await CreateJobAsync(store, "j-3");
        await store.UpdateJobAsync("j-2", JobTransitions.Assign("a1", Time.GetUtcNow()), None);

        var counts = await store.CountJobsByStateAsync(None);

        Assert.Equal(new Dictionary<JobState, long> { [JobState.Queued] = 2, [JobState.Assigned] = 1 }, counts);
    }

    [StoreFact]
    public async Task ListActiveJobsOnAgentAsync_FinishedAndOtherAgentsJobs_OnlyActiveOnesOfThatAgent()
    {
        using var store = await OpenAsync();
        foreach (var (id, agent) in new[] { ("j-1", "agent-1"), ("j-2", "agent-2"), ("j-3", "agent-1") })
        {
            await CreateJobAsync(store, id);
            await store.UpdateJobAsync(id, JobTransitions.Assign(agent, Time.GetUtcNow()), None);
        }

        await store.UpdateJobAsync("j-3", JobTransitions.Cancel("test", Time.GetUtcNow()), None);
        await store.UpdateJobAsync("j-3", JobTransitions.AgentGone("agent-1", "test", Time.GetUtcNow()), None);

        var active = await store.ListActiveJobsOnAgentAsync("agent-1", None);

        Assert.Equal(["j-1"], active.Select(j => j.Id));
    }

    [StoreFact]
    public async Task ReadEventsAsync_AfterSeqWithLimit_ReturnsThatSlice()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-1");
        await store.UpdateJobAsync("j-1", JobTransitions.Assign("a", Time.GetUtcNow()), None);
        await store.UpdateJobAsync("j-1", JobTransitions.Start("a", 1, 1, Time.GetUtcNow()), None);
        var lines = Enumerable.Range(0, 5).Select(i => new LogLine { Text = $"line {i}" }).ToList();
        await store.UpdateJobAsync("j-1", JobTransitions.Logs("a", 1, lines, Time.GetUtcNow()), None);

        var slice = await store.ReadEventsAsync("j-1", 2, 3, None);

        Assert.Equal([3L, 4L, 5L], slice.Select(e => e.Seq));
        Assert.Equal("line 0", slice[1].Log.Text);
    }

    [StoreFact]
    public async Task Reopen_SameDatabase_JobsEventsAndAgentsSurvive()
    {
        var capacity = new AgentCapacity { CpuCores = 8, MemoryMb = 1024, Gpus = { new GpuInfo { Index = 0, Uuid = "GPU-0" } } };
        using (var store = await OpenAsync())
        {
            await CreateJobAsync(store, "j-1");
            await store.UpdateJobAsync("j-1", JobTransitions.Assign("agent-1", Time.GetUtcNow()), None);
            await store.SaveAgentAsync(new AgentRecord("agent-1", "node1", "1.0", capacity, AgentStatus.Connected, Time.GetUtcNow()), None);
        }

        using var reopened = await OpenAsync();

        var job = await reopened.GetJobAsync("j-1", None);
        Assert.Equal(JobState.Assigned, job!.State);
        Assert.Equal(2, (await reopened.ReadEventsAsync("j-1", 0, 10, None)).Count);
        var agent = Assert.Single(await reopened.ListAgentsAsync(None));
        Assert.Equal(capacity, agent.Capacity);
        Assert.Equal(AgentStatus.Connected, agent.Status);
        Assert.Equal(Time.GetUtcNow(), agent.LastSeen);
    }

    [StoreFact]
    public async Task SaveAgentAsync_SameAgentTwice_ReplacedAndListedByIdBytewise()
    {
        using var store = await OpenAsync();
        var capacity = new AgentCapacity { CpuCores = 4, MemoryMb = 512 };
        await store.SaveAgentAsync(new AgentRecord("b-agent", "node1", "1.0", capacity, AgentStatus.Connected, Time.GetUtcNow()), None);
        await store.SaveAgentAsync(new AgentRecord("Z-agent", "node3", "1.0", capacity, AgentStatus.Connected, Time.GetUtcNow()), None);
        Time.Advance(TimeSpan.FromSeconds(5));

        await store.SaveAgentAsync(new AgentRecord("b-agent", "node2", "1.1", capacity, AgentStatus.Disconnected, Time.GetUtcNow()), None);

        var agents = await store.ListAgentsAsync(None);
        // Ordinal order ('Z' < 'b'), as SQLite's BINARY collation sorts, whatever the server's locale.
        Assert.Equal(["Z-agent", "b-agent"], agents.Select(a => a.AgentId));
        Assert.Equal(("node2", "1.1", AgentStatus.Disconnected, Time.GetUtcNow()), (agents[1].Host, agents[1].Version, agents[1].Status, agents[1].LastSeen));
    }

    [StoreFact]
    public async Task SaveAgentAsync_Drained_KeptUntilUndrained()
    {
        using var store = await OpenAsync();
        var agent = new AgentRecord("a", "node1", "1.0", new AgentCapacity { CpuCores = 4 }, AgentStatus.Connected, Time.GetUtcNow());

        await store.SaveAgentAsync(agent with { Drained = true }, None);
        Assert.True(Assert.Single(await store.ListAgentsAsync(None)).Drained);

        await store.SaveAgentAsync(agent, None);
        Assert.False(Assert.Single(await store.ListAgentsAsync(None)).Drained);
    }

    [StoreFact]
    public async Task CheckHealthAsync_MigratedOrNot_HealthyOnlyWhenMigrated()
    {
        using var store = CreateStore();
        var check = new StoreHealthCheck(store);

        var before = await check.CheckHealthAsync(new HealthCheckContext(), None);
        await store.MigrateAsync(None);
        var after = await check.CheckHealthAsync(new HealthCheckContext(), None);

        Assert.Equal(HealthStatus.Unhealthy, before.Status);
        Assert.Equal(HealthStatus.Healthy, after.Status);
        Assert.Equal($"schema version {LatestSchemaVersion}", after.Description);
    }

    [StoreFact]
    public async Task ClaimWrites_ANewerClaim_FencesTheOlderClaimantsWritesOnly()
    {
        using var first = await OpenAsync();
        using var second = await OpenAsync();
        using var unclaimed = await OpenAsync();
        var fenced = new List<StaleWriterException>();
        first.WritesFenced += (_, e) => fenced.Add(e);

        var epoch1 = await first.ClaimWritesAsync("http://c1:7070", None);
        await CreateJobAsync(first, "j-fence-1");
        var epoch2 = await second.ClaimWritesAsync("http://c2:7070", None);

        Assert.True(epoch2 > epoch1, $"epochs {epoch1}, {epoch2}");
        var refused = await Assert.ThrowsAsync<StaleWriterException>(() =>
            first.UpdateJobAsync("j-fence-1", JobTransitions.Cancel("stale leader", Time.GetUtcNow()), None));
        Assert.Equal((epoch1, epoch2, "http://c2:7070"), (refused.Epoch, refused.CurrentEpoch, refused.CurrentHolder));
        Assert.Same(refused, Assert.Single(fenced));
        Assert.Equal(JobState.Queued, (await second.GetJobAsync("j-fence-1", None))!.State);

        // The new claimant writes; a store that never claimed (a single coordinator) is not fenced.
        Assert.True((await second.UpdateJobAsync("j-fence-1", JobTransitions.Cancel("by the leader", Time.GetUtcNow()), None))!.Changed);
        await CreateJobAsync(unclaimed, "j-fence-2");
    }

    protected async Task<ICoordinatorStore> OpenAsync()
    {
        var store = CreateStore();
        await store.MigrateAsync(None);
        return store;
    }

    protected async Task<Job> CreateJobAsync(ICoordinatorStore store, string id, string owner = "tester")
    {
        var spec = TestSpecs.Valid();
        spec.Owner = owner;
        var update = await store.CreateJobAsync(JobTransitions.Create(id, spec, "sha256:" + new string('0', 64), 3, Time.GetUtcNow()), None);
        return update.Job;
    }
}
