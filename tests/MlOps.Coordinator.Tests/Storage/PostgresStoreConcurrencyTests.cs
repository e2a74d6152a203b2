using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MlOps.Contracts;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Storage;
using MlOps.Coordinator.Storage.Postgres;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Core.Digests;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>
/// Two store instances on one database stand for two coordinators sharing it (nothing in-process is shared between
/// them), each with several writers at once: no lost update, no number handed out twice or skipped.
/// </summary>
[Trait("Category", "Integration")]
[RequiresPostgres]
[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreConcurrencyTests(PostgresFixture postgres) : IAsyncLifetime
{
    /// <summary>Concurrent writers per coordinator.</summary>
    private const int Writers = 12;

    private static readonly CancellationToken None = CancellationToken.None;

    private readonly FakeTimeProvider _time = new(TestCoordinator.Start);
    private string _connectionString = "";
    private PostgresCoordinatorStore _first = null!;
    private PostgresCoordinatorStore _second = null!;

    public async Task InitializeAsync()
    {
        _connectionString = await postgres.CreateSchemaAsync(GetType(), "race");
        _first = Coordinator();
        _second = Coordinator();
        await _first.MigrateAsync(None);
    }

    public Task DisposeAsync()
    {
        _first.Dispose();
        _second.Dispose();
        return Task.CompletedTask;
    }

    [StoreFact]
    public async Task MigrateAsync_SeveralCoordinatorsOnAFreshSchema_EachMigrationAppliedOnce()
    {
        var connectionString = await postgres.CreateSchemaAsync(GetType(), "migrate");
        var stores = Enumerable.Range(0, 4)
            .Select(_ => new PostgresCoordinatorStore(connectionString, _time, NullLogger<PostgresCoordinatorStore>.Instance))
            .ToList();
        try
        {
            await Task.WhenAll(stores.Select(s => Task.Run(() => s.MigrateAsync(None))));

            foreach (var store in stores)
            {
                Assert.Equal(PostgresSchema.LatestVersion, await store.GetSchemaVersionAsync(None));
            }

            await stores[0].CreateJobAsync(Creation("j-1"), None);
            Assert.Single(await stores[3].ListJobsByStateAsync([JobState.Queued], None));
        }
        finally
        {
            stores.ForEach(s => s.Dispose());
        }
    }

    [StoreFact]
    public async Task CreateJobAsync_BothCoordinatorsSubmitAtOnce_EveryJobListedOnce()
    {
        var ids = await RaceAsync(async (store, writer) =>
        {
            var id = $"j-{writer:D3}";
            await store.CreateJobAsync(Creation(id), None);
            return id;
        });

        var queued = await _second.ListJobsByStateAsync([JobState.Queued], None);
        var paged = new List<string>();
        string? token = null;
        do
        {
            var page = await _first.ListJobsAsync(new JobQuery([], null, 5, token), None);
            paged.AddRange(page.Jobs.Select(j => j.Id));
            token = page.NextPageToken;
        }
        while (!string.IsNullOrEmpty(token));

        Assert.Equal(ids.Order(StringComparer.Ordinal), queued.Select(j => j.Id).Order(StringComparer.Ordinal));
        Assert.Equal(queued.Select(j => j.Id).Reverse(), paged);
    }

    [StoreFact]
    public async Task UpdateJobAsync_BothCoordinatorsAssignTheSameJobs_EachJobAssignedOnce()
    {
        const int jobs = 6;
        for (var i = 0; i < jobs; i++)
        {
            await _first.CreateJobAsync(Creation($"j-{i}"), None);
        }

        var outcomes = await RaceAsync((store, writer) =>
            store.UpdateJobAsync($"j-{writer % jobs}", JobTransitions.Assign($"agent-{writer}", _time.GetUtcNow()), None));

        for (var i = 0; i < jobs; i++)
        {
            var winners = outcomes.Where(u => u!.Job.Id == $"j-{i}" && u.Changed).ToList();
            var winner = Assert.Single(winners);
            var stored = await _second.GetJobAsync($"j-{i}", None);
            Assert.Equal((JobState.Assigned, 1, 2L, winner!.Job.AgentId), (stored!.State, stored.Attempt, stored.LastEventSeq, stored.AgentId));
            Assert.Equal([1L, 2L], (await _first.ReadEventsAsync($"j-{i}", 0, 100, None)).Select(e => e.Seq));
        }
    }

    [StoreFact]
    public async Task UpdateJobAsync_BothCoordinatorsAppendToOneJob_NoLostUpdateAndNoSeqTwice()
    {
        await _first.CreateJobAsync(Creation("j-1"), None);
        await _first.UpdateJobAsync("j-1", JobTransitions.Assign("agent-1", _time.GetUtcNow()), None);
        await _second.UpdateJobAsync("j-1", JobTransitions.Start("agent-1", 1, 42, _time.GetUtcNow()), None);

        var updates = await RaceAsync((store, writer) =>
            store.UpdateJobAsync("j-1", JobTransitions.Logs("agent-1", 1, [new LogLine { Text = $"line {writer}" }], _time.GetUtcNow()), None));

        Assert.All(updates, u => Assert.True(u!.Changed));
        var events = await _second.ReadEventsAsync("j-1", 0, 1000, None);
        Assert.Equal(Enumerable.Range(1, 3 + (2 * Writers)).Select(i => (long)i), events.Select(e => e.Seq));
        Assert.Equal(
            Enumerable.Range(0, 2 * Writers).Select(i => $"line {i}").Order(StringComparer.Ordinal),
            events.Where(e => e.PayloadCase == JobEvent.PayloadOneofCase.Log).Select(e => e.Log.Text).Order(StringComparer.Ordinal));
        Assert.Equal(events[^1].Seq, (await _first.GetJobAsync("j-1", None))!.LastEventSeq);
    }

    [StoreFact]
    public async Task AddModelVersionAsync_BothCoordinatorsRegisterOneModel_NumbersContiguousAndUnique()
    {
        var versions = await RaceAsync((store, writer) => store.AddModelVersionAsync(ModelDraft("tiny-mlp", $"j-{writer}"), None));

        Assert.Equal(Enumerable.Range(1, 2 * Writers), versions.Select(v => v.Version).Order());
        var stored = (await _second.ListModelVersionsAsync("tiny-mlp", None))!;
        Assert.Equal(Enumerable.Range(1, 2 * Writers), stored.Select(v => v.Version));
        Assert.Equal(2 * Writers, stored.Select(v => v.Lineage.JobId).Distinct().Count());
    }

    [StoreFact]
    public async Task AddModelVersionAsync_SameJobFromBothCoordinators_OneVersion()
    {
        var versions = await RaceAsync((store, _) => store.AddModelVersionAsync(ModelDraft("tiny-mlp", "j-1"), None));

        Assert.All(versions, v => Assert.Equal(1, v.Version));
        Assert.Single((await _first.ListModelVersionsAsync("tiny-mlp", None))!);
    }

    [StoreFact]
    public async Task UpdateJobAsync_CompletionsRegisterAtOnce_EachJobGetsItsOwnVersion()
    {
        const int jobs = 2 * Writers;
        for (var i = 0; i < jobs; i++)
        {
            await _first.CreateJobAsync(Creation($"j-{i}"), None);
            await _first.UpdateJobAsync($"j-{i}", JobTransitions.Assign("agent-1", _time.GetUtcNow()), None);
        }

        var updates = await RaceAsync((store, writer) =>
        {
            var completed = new JobCompleted { JobId = $"j-{writer}", Attempt = 1, Outcome = JobOutcome.Succeeded, Result = new JobResult() };
            return store.UpdateJobAsync($"j-{writer}",
                JobTransitions.Complete("agent-1", completed, _time.GetUtcNow(), ModelRegistrationPlan.Register(ModelDraft("tiny-mlp", $"j-{writer}"))), None);
        });

        Assert.Equal(Enumerable.Range(1, jobs), updates.Select(u => u!.Registered!.Version).Order());
        foreach (var update in updates)
        {
            var job = await _second.GetJobAsync(update!.Job.Id, None);
            Assert.Equal(JobState.Succeeded, job!.State);
            Assert.Equal(update.Registered!.Version, job.Result.ModelVersion);
            Assert.Equal(job.Id, (await _second.GetModelVersionAsync("tiny-mlp", job.Result.ModelVersion, None))!.Lineage.JobId);
        }
    }

    [StoreFact]
    public async Task AddDatasetVersionAsync_BothCoordinatorsAtOnce_EachDigestOnceNumbersContiguous()
    {
        const int digests = 5;

        var results = await RaceAsync((store, writer) => store.AddDatasetVersionAsync(DatasetDraft("d", writer % digests), None));

        Assert.Equal(digests, results.Count(r => r.Created));
        Assert.Equal(Enumerable.Range(1, digests), (await _second.ListDatasetVersionsAsync("d", None)).Select(v => v.Version));
        Assert.All(results.GroupBy(r => r.Version.Digest), g => Assert.Single(g.Select(r => r.Version.Version).Distinct()));
    }

    /// <summary>Runs <see cref="Writers"/> writers on each coordinator at once (writer numbers 0 to 2 × Writers - 1) and
    /// returns what each returned, by writer number.</summary>
    private async Task<T[]> RaceAsync<T>(Func<PostgresCoordinatorStore, int, Task<T>> write)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writers = Enumerable.Range(0, 2 * Writers).Select(writer => Task.Run(async () =>
        {
            await start.Task;
            return await write(writer % 2 == 0 ? _first : _second, writer);
        })).ToList();
        start.SetResult();
        return await Task.WhenAll(writers);
    }

    private PostgresCoordinatorStore Coordinator() =>
        new(_connectionString, _time, NullLogger<PostgresCoordinatorStore>.Instance);

    private JobMutation Creation(string id) =>
        JobTransitions.Create(id, TestSpecs.Valid(), Sha256Digest.OfBytes([1]), 3, _time.GetUtcNow());

    private static ModelVersion ModelDraft(string model, string jobId) => new()
    {
        Model = model,
        Repository = "models/" + model,
        ManifestDigest = Sha256Digest.OfBytes(System.Text.Encoding.UTF8.GetBytes(jobId)),
        OnnxDigest = Sha256Digest.OfBytes([2]),
        OnnxBytes = 1234,
        Lineage = new Lineage { JobId = jobId },
    };

    private static DatasetVersion DatasetDraft(string name, int seed) => new()
    {
        Name = name,
        Digest = Sha256Digest.OfBytes([(byte)seed]),
        Repository = "datasets/" + name,
        Format = "mnist-idx",
        TrainCount = 20,
        TestCount = 10,
    };
}
