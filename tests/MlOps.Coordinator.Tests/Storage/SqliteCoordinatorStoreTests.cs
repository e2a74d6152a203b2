using MlOps.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MlOps.Contracts;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Storage;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;

namespace MlOps.Coordinator.Tests.Storage;

public sealed class SqliteCoordinatorStoreTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(TestCoordinator.Start);

    private string DatabasePath => _directory.Combine("coordinator.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task MigrateAsync_RunTwice_SchemaAtLatestAndDataKept()
    {
        using var store = await OpenAsync();
        var created = await CreateJobAsync(store, "j-1");

        await store.MigrateAsync(CancellationToken.None);

        Assert.Equal(SqliteSchema.LatestVersion, await store.GetSchemaVersionAsync(CancellationToken.None));
        Assert.NotNull(await store.GetJobAsync(created.Id, CancellationToken.None));
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM schema_version;";
        Assert.Equal((long)SqliteSchema.Migrations.Count, (long)command.ExecuteScalar()!);
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string)command.ExecuteScalar()!);
    }

    [Fact]
    public async Task GetSchemaVersionAsync_EmptyDatabase_Zero()
    {
        using var store = new SqliteCoordinatorStore(DatabasePath, _time, NullLogger<SqliteCoordinatorStore>.Instance);

        Assert.Equal(0, await store.GetSchemaVersionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task CreateJobAsync_ThenGet_RoundTripsSpecStatusAndFirstEvent()
    {
        using var store = await OpenAsync();
        var spec = TestSpecs.Valid(priority: 7);
        spec.Owner = "alice";

        var update = await store.CreateJobAsync(JobTransitions.Create("j-1", spec, "sha256:" + new string('a', 64), 3, _time.GetUtcNow()), CancellationToken.None);
        var loaded = await store.GetJobAsync("j-1", CancellationToken.None);

        Assert.NotNull(loaded);
        Assert.Equal(update.Job, loaded);
        Assert.Equal(spec, loaded.Spec);
        Assert.Equal(JobState.Queued, loaded.State);
        Assert.Equal(1, loaded.LastEventSeq);
        var events = await store.ReadEventsAsync("j-1", 0, 100, CancellationToken.None);
        var only = Assert.Single(events);
        Assert.Equal(1, only.Seq);
        Assert.Equal("j-1", only.JobId);
        Assert.Equal(JobState.Queued, only.StateChange.To);
    }

    [Fact]
    public async Task UpdateJobAsync_StateChange_JobAndEventsWrittenTogether()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-1");

        var update = await store.UpdateJobAsync("j-1", JobTransitions.Assign("agent-1", _time.GetUtcNow()), CancellationToken.None);

        Assert.NotNull(update);
        Assert.True(update.Changed);
        var job = await store.GetJobAsync("j-1", CancellationToken.None);
        Assert.Equal(JobState.Assigned, job!.State);
        Assert.Equal(1, job.Attempt);
        Assert.Equal(2, job.LastEventSeq);
        var events = await store.ReadEventsAsync("j-1", 0, 100, CancellationToken.None);
        Assert.Equal([1L, 2L], events.Select(e => e.Seq));
        Assert.Equal(JobState.Assigned, events[1].StateChange.To);
        Assert.Single(await store.ListActiveJobsOnAgentAsync("agent-1", CancellationToken.None));
    }

    [Fact]
    public async Task UpdateJobAsync_EventInsertFails_StateChangeRolledBack()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-1");
        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // The job row is updated before the events are inserted; a failing insert must undo that update.
            command.CommandText = "CREATE TRIGGER fail_second_event BEFORE INSERT ON job_events WHEN NEW.seq = 2 BEGIN SELECT RAISE(ABORT, 'boom'); END;";
            command.ExecuteNonQuery();
        }

        await Assert.ThrowsAsync<SqliteException>(() =>
            store.UpdateJobAsync("j-1", JobTransitions.Assign("agent-1", _time.GetUtcNow()), CancellationToken.None));

        var job = await store.GetJobAsync("j-1", CancellationToken.None);
        Assert.Equal(JobState.Queued, job!.State);
        Assert.Equal(0, job.Attempt);
        Assert.Equal(1, job.LastEventSeq);
        Assert.Single(await store.ReadEventsAsync("j-1", 0, 100, CancellationToken.None));
    }

    [Fact]
    public async Task UpdateJobAsync_MutatorDeclines_NothingWritten()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-1");

        var update = await store.UpdateJobAsync("j-1", _ => null, CancellationToken.None);

        Assert.False(update!.Changed);
        Assert.Single(await store.ReadEventsAsync("j-1", 0, 100, CancellationToken.None));
    }

    [Fact]
    public async Task UpdateJobAsync_UnknownJob_Null()
    {
        using var store = await OpenAsync();

        Assert.Null(await store.UpdateJobAsync("j-missing", JobTransitions.Assign("a", _time.GetUtcNow()), CancellationToken.None));
    }

    [Fact]
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
            var page = await store.ListJobsAsync(new JobQuery([], null, 3, token), CancellationToken.None);
            seen.AddRange(page.Jobs.Select(j => j.Id));
            token = page.NextPageToken;
            pages++;
        }
        while (!string.IsNullOrEmpty(token));

        Assert.Equal(3, pages);
        Assert.Equal(["j-7", "j-6", "j-5", "j-4", "j-3", "j-2", "j-1"], seen);
    }

    [Fact]
    public async Task ListJobsAsync_StateAndOwnerFilters_OnlyMatchingJobs()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-1", owner: "alice");
        await CreateJobAsync(store, "j-2", owner: "bob");
        await CreateJobAsync(store, "j-3", owner: "alice");
        await store.UpdateJobAsync("j-3", JobTransitions.Cancel("test", _time.GetUtcNow()), CancellationToken.None);

        var alice = await store.ListJobsAsync(new JobQuery([], "alice", 0, null), CancellationToken.None);
        var queuedAlice = await store.ListJobsAsync(new JobQuery([JobState.Queued], "alice", 0, null), CancellationToken.None);
        var finished = await store.ListJobsAsync(new JobQuery([JobState.Cancelled, JobState.Failed], null, 0, null), CancellationToken.None);

        Assert.Equal(["j-3", "j-1"], alice.Jobs.Select(j => j.Id));
        Assert.Equal(["j-1"], queuedAlice.Jobs.Select(j => j.Id));
        Assert.Equal(["j-3"], finished.Jobs.Select(j => j.Id));
        Assert.Equal("", finished.NextPageToken);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("am9icy52MTotMQ")]
    public async Task ListJobsAsync_ForeignPageToken_InvalidPageTokenException(string token)
    {
        using var store = await OpenAsync();

        var ex = await Assert.ThrowsAsync<InvalidPageTokenException>(() =>
            store.ListJobsAsync(new JobQuery([], null, 0, token), CancellationToken.None));
        Assert.Equal(token, ex.Token);
    }

    [Fact]
    public async Task ReadEventsAsync_AfterSeqWithLimit_ReturnsThatSlice()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-1");
        await store.UpdateJobAsync("j-1", JobTransitions.Assign("a", _time.GetUtcNow()), CancellationToken.None);
        await store.UpdateJobAsync("j-1", JobTransitions.Start("a", 1, 1, _time.GetUtcNow()), CancellationToken.None);
        var lines = Enumerable.Range(0, 5).Select(i => new LogLine { Text = $"line {i}" }).ToList();
        await store.UpdateJobAsync("j-1", JobTransitions.Logs("a", 1, lines, _time.GetUtcNow()), CancellationToken.None);

        var slice = await store.ReadEventsAsync("j-1", 2, 3, CancellationToken.None);

        Assert.Equal([3L, 4L, 5L], slice.Select(e => e.Seq));
        Assert.Equal("line 0", slice[1].Log.Text);
    }

    [Fact]
    public async Task Reopen_SameFile_JobsEventsAndAgentsSurvive()
    {
        var capacity = new AgentCapacity { CpuCores = 8, MemoryMb = 1024, Gpus = { new GpuInfo { Index = 0, Uuid = "GPU-0" } } };
        using (var store = await OpenAsync())
        {
            await CreateJobAsync(store, "j-1");
            await store.UpdateJobAsync("j-1", JobTransitions.Assign("agent-1", _time.GetUtcNow()), CancellationToken.None);
            await store.SaveAgentAsync(new AgentRecord("agent-1", "node1", "1.0", capacity, AgentStatus.Connected, _time.GetUtcNow()), CancellationToken.None);
        }

        using var reopened = await OpenAsync();

        var job = await reopened.GetJobAsync("j-1", CancellationToken.None);
        Assert.Equal(JobState.Assigned, job!.State);
        Assert.Equal(2, (await reopened.ReadEventsAsync("j-1", 0, 10, CancellationToken.None)).Count);
        var agent = Assert.Single(await reopened.ListAgentsAsync(CancellationToken.None));
        Assert.Equal(capacity, agent.Capacity);
        Assert.Equal(AgentStatus.Connected, agent.Status);
        Assert.Equal(_time.GetUtcNow(), agent.LastSeen);
    }

    [Fact]
    public async Task ListJobsByStateAsync_Queued_OldestSubmissionFirst()
    {
        using var store = await OpenAsync();
        await CreateJobAsync(store, "j-b");
        await CreateJobAsync(store, "j-a");

        var queued = await store.ListJobsByStateAsync([JobState.Queued], CancellationToken.None);

        Assert.Equal(["j-b", "j-a"], queued.Select(j => j.Id));
    }

    private async Task<SqliteCoordinatorStore> OpenAsync()
    {
        var store = new SqliteCoordinatorStore(DatabasePath, _time, NullLogger<SqliteCoordinatorStore>.Instance);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    private async Task<Job> CreateJobAsync(SqliteCoordinatorStore store, string id, string owner = "tester")
    {
        var spec = TestSpecs.Valid();
        spec.Owner = owner;
        var update = await store.CreateJobAsync(JobTransitions.Create(id, spec, "sha256:" + new string('0', 64), 3, _time.GetUtcNow()), CancellationToken.None);
        return update.Job;
    }
}
