using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MlOps.Contracts;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Storage;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>The registry tables of migration 2: numbering, idempotency, aliases, and registration with a job's completion.</summary>
public sealed class SqliteRegistryStoreTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _time = new(TestCoordinator.Start);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AddModelVersionAsync_TwoModels_NumberedPerModelAndIdempotentPerJob()
    {
        using var store = await OpenAsync();

        var a1 = await store.AddModelVersionAsync(Draft("a", "j-1"), None);
        var b1 = await store.AddModelVersionAsync(Draft("b", "j-2"), None);
        var a2 = await store.AddModelVersionAsync(Draft("a", "j-3"), None);
        var again = await store.AddModelVersionAsync(Draft("a", "j-1"), None);

        Assert.Equal((1, 1, 2), (a1.Version, b1.Version, a2.Version));
        Assert.Equal(a1, again);
        Assert.Equal([1, 2], (await store.ListModelVersionsAsync("a", None))!.Select(v => v.Version));
        Assert.Null(await store.ListModelVersionsAsync("c", None));
        var loaded = await store.GetModelVersionAsync("a", 2, None);
        Assert.Equal(a2, loaded);
        Assert.Equal(0.5, loaded!.Metrics["accuracy"]);
        Assert.Equal("j-3", loaded.Lineage.JobId);
    }

    [Fact]
    public async Task SetAliasAsync_MissingVersion_NullAndNothingWritten()
    {
        using var store = await OpenAsync();
        await store.AddModelVersionAsync(Draft("a", "j-1"), None);

        var missing = await store.SetAliasAsync("a", "production", 2, None);
        var set = await store.SetAliasAsync("a", "production", 1, None);
        var deleted = await store.DeleteAliasAsync("a", "production", None);
        var deletedAgain = await store.DeleteAliasAsync("a", "production", None);

        Assert.Null(missing);
        Assert.Equal(["production"], set!.Aliases);
        Assert.True(deleted);
        Assert.False(deletedAgain);
        Assert.Null(await store.GetModelVersionByAliasAsync("a", "production", None));
    }

    [Fact]
    public async Task AddDatasetVersionAsync_SameDigestTwice_SameVersionElseNextNumber()
    {
        using var store = await OpenAsync();

        var (v1, created1) = await store.AddDatasetVersionAsync(Dataset("d", 1), None);
        var (same, created2) = await store.AddDatasetVersionAsync(Dataset("d", 1), None);
        var (v2, _) = await store.AddDatasetVersionAsync(Dataset("d", 2), None);
        var (other, _) = await store.AddDatasetVersionAsync(Dataset("e", 1), None);

        Assert.True(created1);
        Assert.False(created2);
        Assert.Equal(v1, same);
        Assert.Equal((1, 2, 1), (v1.Version, v2.Version, other.Version));
        Assert.Equal(v2, await store.GetLatestDatasetVersionAsync("d", None));
        Assert.Equal(v1, await store.FindDatasetVersionAsync(v1.Digest, None));
        Assert.Equal(["d", "d", "e"], (await store.ListDatasetVersionsAsync(null, None)).Select(v => v.Name));
        Assert.Equal(v1.Files, (await store.GetDatasetVersionAsync("d", 1, None))!.Files);
    }

    [Fact]
    public async Task UpdateJobAsync_CompletionWithRegistration_JobCarriesVersionAndAnnouncementPrecedesFinalState()
    {
        using var store = await OpenAsync();
        await store.CreateJobAsync(JobTransitions.Create("j-1", TestSpecs.Valid(), Sha256Digest.OfBytes([1]), 3, _time.GetUtcNow()), None);
        await store.UpdateJobAsync("j-1", JobTransitions.Assign("agent-1", _time.GetUtcNow()), None);
        var completed = new JobCompleted { JobId = "j-1", Attempt = 1, Outcome = JobOutcome.Succeeded, Result = new JobResult() };

        var update = await store.UpdateJobAsync("j-1",
            JobTransitions.Complete("agent-1", completed, _time.GetUtcNow(), ModelRegistrationPlan.Register(Draft("tiny-mlp", "j-1"))), None);

        Assert.NotNull(update?.Registered);
        Assert.Equal(1, update.Registered.Version);
        Assert.Equal(1, update.Job.Result.ModelVersion);
        Assert.Equal(1, (await store.GetJobAsync("j-1", None))!.Result.ModelVersion);
        Assert.Equal([JobEvent.PayloadOneofCase.Log, JobEvent.PayloadOneofCase.StateChange], update.Events.Select(e => e.PayloadCase));
        Assert.Equal(JobState.Succeeded, update.Events[^1].StateChange.To);
        Assert.Single((await store.ListModelVersionsAsync("tiny-mlp", None))!);
    }

    private async Task<SqliteCoordinatorStore> OpenAsync()
    {
        var store = new SqliteCoordinatorStore(_directory.Combine("coordinator.db"), _time, NullLogger<SqliteCoordinatorStore>.Instance);
        await store.MigrateAsync(None);
        return store;
    }

    private static ModelVersion Draft(string model, string jobId)
    {
        var draft = new ModelVersion
        {
            Model = model,
            Repository = "models/" + model,
            ManifestDigest = Sha256Digest.OfBytes(System.Text.Encoding.UTF8.GetBytes(jobId)),
            OnnxDigest = Sha256Digest.OfBytes([2]),
            OnnxBytes = 1234,
            Lineage = new Lineage { JobId = jobId, Seed = 7, Opset = 17 },
        };
        draft.Metrics.Add("accuracy", 0.5);
        return draft;
    }

    private static DatasetVersion Dataset(string name, int seed)
    {
        var version = new DatasetVersion
        {
            Name = name, Digest = Sha256Digest.OfBytes([(byte)seed]), Repository = "datasets/" + name, Format = "mnist-idx", TrainCount = 20, TestCount = 10,
        };
        version.Files.Add(new DatasetFile { Name = "train-images-idx3-ubyte.gz", Digest = Sha256Digest.OfBytes([(byte)(seed + 100)]), Size = 99 });
        return version;
    }
}
