using MlOps.Contracts;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Storage;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Core.Digests;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>The registry part of the contract: numbering, idempotency, aliases, dataset versions, and registration
/// together with a job's completion.</summary>
public abstract partial class CoordinatorStoreContractTests
{
    [StoreFact]
    public async Task AddModelVersionAsync_TwoModels_NumberedPerModelAndIdempotentPerJob()
    {
        using var store = await OpenAsync();
        var registry = (IRegistryStore)store;

        var a1 = await registry.AddModelVersionAsync(ModelDraft("a", "j-1"), None);
        var b1 = await registry.AddModelVersionAsync(ModelDraft("b", "j-2"), None);
        var a2 = await registry.AddModelVersionAsync(ModelDraft("a", "j-3"), None);
        var again = await registry.AddModelVersionAsync(ModelDraft("a", "j-1"), None);

        Assert.Equal((1, 1, 2), (a1.Version, b1.Version, a2.Version));
        Assert.Equal(a1, again);
        Assert.Equal([1, 2], (await registry.ListModelVersionsAsync("a", None))!.Select(v => v.Version));
        Assert.Null(await registry.ListModelVersionsAsync("c", None));
        var loaded = await registry.GetModelVersionAsync("a", 2, None);
        Assert.Equal(a2, loaded);
        Assert.Equal(0.5, loaded!.Metrics["accuracy"]);
        Assert.Equal("j-3", loaded.Lineage.JobId);
        Assert.Null(await registry.GetModelVersionAsync("a", 3, None));
    }

    [StoreFact]
    public async Task AddModelVersionAsync_NoJob_EveryCallANewVersion()
    {
        using var store = await OpenAsync();
        var registry = (IRegistryStore)store;
        var draft = ModelDraft("a", "j-1");
        draft.Lineage.JobId = "";

        var first = await registry.AddModelVersionAsync(draft, None);
        var second = await registry.AddModelVersionAsync(draft, None);

        Assert.Equal((1, 2), (first.Version, second.Version));
    }

    [StoreFact]
    public async Task SetAliasAsync_MissingVersion_NullAndNothingWritten()
    {
        using var store = await OpenAsync();
        var registry = (IRegistryStore)store;
        await registry.AddModelVersionAsync(ModelDraft("a", "j-1"), None);

        var missing = await registry.SetAliasAsync("a", "production", 2, None);
        var set = await registry.SetAliasAsync("a", "production", 1, None);
        var deleted = await registry.DeleteAliasAsync("a", "production", None);
        var deletedAgain = await registry.DeleteAliasAsync("a", "production", None);

        Assert.Null(missing);
        Assert.Equal(["production"], set!.Aliases);
        Assert.True(deleted);
        Assert.False(deletedAgain);
        Assert.Null(await registry.GetModelVersionByAliasAsync("a", "production", None));
    }

    [StoreFact]
    public async Task SetAliasAsync_MovedToNewerVersion_SummaryAndVersionsFollow()
    {
        using var store = await OpenAsync();
        var registry = (IRegistryStore)store;
        await registry.AddModelVersionAsync(ModelDraft("b", "j-1"), None);
        await registry.AddModelVersionAsync(ModelDraft("a", "j-2"), None);
        await registry.AddModelVersionAsync(ModelDraft("a", "j-3"), None);
        await registry.SetAliasAsync("a", "production", 1, None);
        await registry.SetAliasAsync("a", "staging", 2, None);
        Time.Advance(TimeSpan.FromMinutes(1));

        var moved = await registry.SetAliasAsync("a", "production", 2, None);

        Assert.Equal(["production", "staging"], moved!.Aliases);
        Assert.Equal(moved, await registry.GetModelVersionByAliasAsync("a", "production", None));
        Assert.Empty((await registry.GetModelVersionAsync("a", 1, None))!.Aliases);
        var models = await registry.ListModelsAsync(None);
        Assert.Equal(["a", "b"], models.Select(m => m.Name));
        var a = models[0];
        Assert.Equal((2, 2), (a.LatestVersion, a.VersionCount));
        Assert.Equal(new Dictionary<string, int> { ["production"] = 2, ["staging"] = 2 }, new Dictionary<string, int>(a.Aliases));
        Assert.Equal(Time.GetUtcNow(), a.UpdatedAt.ToDateTimeOffset());
    }

    [StoreFact]
    public async Task AddDatasetVersionAsync_SameDigestTwice_SameVersionElseNextNumber()
    {
        using var store = await OpenAsync();
        var registry = (IRegistryStore)store;

        var (v1, created1) = await registry.AddDatasetVersionAsync(DatasetDraft("d", 1), None);
        var (same, created2) = await registry.AddDatasetVersionAsync(DatasetDraft("d", 1), None);
        var (v2, _) = await registry.AddDatasetVersionAsync(DatasetDraft("d", 2), None);
        var (other, _) = await registry.AddDatasetVersionAsync(DatasetDraft("e", 1), None);

        Assert.True(created1);
        Assert.False(created2);
        Assert.Equal(v1, same);
        Assert.Equal((1, 2, 1), (v1.Version, v2.Version, other.Version));
        Assert.Equal(v2, await registry.GetLatestDatasetVersionAsync("d", None));
        Assert.Equal(v1, await registry.FindDatasetVersionAsync(v1.Digest, None));
        Assert.Equal(["d", "d", "e"], (await registry.ListDatasetVersionsAsync(null, None)).Select(v => v.Name));
        Assert.Equal([v1, v2], await registry.ListDatasetVersionsAsync("d", None));
        Assert.Equal(v1.Files, (await registry.GetDatasetVersionAsync("d", 1, None))!.Files);
        Assert.Null(await registry.GetDatasetVersionAsync("d", 3, None));
        Assert.Null(await registry.GetLatestDatasetVersionAsync("missing", None));
        Assert.Null(await registry.FindDatasetVersionAsync(Sha256Digest.OfBytes([99]), None));
    }

    [StoreFact]
    public async Task UpdateJobAsync_CompletionWithRegistration_JobCarriesVersionAndAnnouncementPrecedesFinalState()
    {
        using var store = await OpenAsync();
        var registry = (IRegistryStore)store;
        await store.CreateJobAsync(JobTransitions.Create("j-1", TestSpecs.Valid(), Sha256Digest.OfBytes([1]), 3, Time.GetUtcNow()), None);
        await store.UpdateJobAsync("j-1", JobTransitions.Assign("agent-1", Time.GetUtcNow()), None);
        var completed = new JobCompleted { JobId = "j-1", Attempt = 1, Outcome = JobOutcome.Succeeded, Result = new JobResult() };

        var update = await store.UpdateJobAsync("j-1",
            JobTransitions.Complete("agent-1", completed, Time.GetUtcNow(), ModelRegistrationPlan.Register(ModelDraft("tiny-mlp", "j-1"))), None);

        Assert.NotNull(update?.Registered);
        Assert.Equal(1, update.Registered.Version);
        Assert.Equal(1, update.Job.Result.ModelVersion);
        Assert.Equal(1, (await store.GetJobAsync("j-1", None))!.Result.ModelVersion);
        Assert.Equal([JobEvent.PayloadOneofCase.Log, JobEvent.PayloadOneofCase.StateChange], update.Events.Select(e => e.PayloadCase));
        Assert.Equal(JobState.Succeeded, update.Events[^1].StateChange.To);
        Assert.Single((await registry.ListModelVersionsAsync("tiny-mlp", None))!);
    }

    [StoreFact]
    public async Task UpdateJobAsync_RegistrationThenEventInsertFails_VersionRolledBackToo()
    {
        using var store = await OpenAsync();
        var registry = (IRegistryStore)store;
        await store.CreateJobAsync(JobTransitions.Create("j-1", TestSpecs.Valid(), Sha256Digest.OfBytes([1]), 3, Time.GetUtcNow()), None);
        await store.UpdateJobAsync("j-1", JobTransitions.Assign("agent-1", Time.GetUtcNow()), None);
        await store.UpdateJobAsync("j-1", JobTransitions.Start("agent-1", 1, 1, Time.GetUtcNow()), None);
        // Completion writes the announcement (seq 4) and then the final state change (seq 5).
        await RefuseEventAsync(5);
        var completed = new JobCompleted { JobId = "j-1", Attempt = 1, Outcome = JobOutcome.Succeeded, Result = new JobResult() };

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => store.UpdateJobAsync("j-1",
            JobTransitions.Complete("agent-1", completed, Time.GetUtcNow(), ModelRegistrationPlan.Register(ModelDraft("tiny-mlp", "j-1"))), None));

        Assert.Null(await registry.ListModelVersionsAsync("tiny-mlp", None));
        Assert.Equal(JobState.Running, (await store.GetJobAsync("j-1", None))!.State);
    }

    private static ModelVersion ModelDraft(string model, string jobId)
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

    private static DatasetVersion DatasetDraft(string name, int seed)
    {
        var version = new DatasetVersion
        {
            Name = name, Digest = Sha256Digest.OfBytes([(byte)seed]), Repository = "datasets/" + name, Format = "mnist-idx", TrainCount = 20, TestCount = 10,
        };
        version.Files.Add(new DatasetFile { Name = "train-images-idx3-ubyte.gz", Digest = Sha256Digest.OfBytes([(byte)(seed + 100)]), Size = 99 });
        return version;
    }
}
