using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>The pipeline part of the contract: runs by id, listed newest first per pipeline; step cache entries by key.</summary>
public abstract partial class CoordinatorStoreContractTests
{
    [StoreFact]
    public async Task PutPipelineRunAsync_SeveralPipelines_ListedNewestFirstAndUpdatedInPlace()
    {
        using var store = await OpenAsync();
        var pipelines = (IPipelineStore)store;
        var first = PipelineRunAt("p-1", "fashion", minutes: 1);
        var second = PipelineRunAt("p-2", "fashion", minutes: 2);
        await pipelines.PutPipelineRunAsync(first, None);
        await pipelines.PutPipelineRunAsync(second, None);
        await pipelines.PutPipelineRunAsync(PipelineRunAt("p-3", "other", minutes: 3), None);

        second.State = PipelineRunState.Succeeded;
        second.Steps.Add(new PipelineStepRun
        {
            Name = "train",
            Kind = "train",
            State = PipelineStepState.Cached,
            CacheKey = "sha256:" + new string('c', 64),
            Outputs = { new PipelineArtifact { Name = "model", Reference = "model:m@1", Digest = "sha256:" + new string('d', 64) } },
        });
        await pipelines.PutPipelineRunAsync(second, None);

        Assert.Equal(["p-2", "p-1"], (await pipelines.ListPipelineRunsAsync("fashion", 10, None)).Select(r => r.Id));
        Assert.Equal(["p-3", "p-2"], (await pipelines.ListPipelineRunsAsync(null, 2, None)).Select(r => r.Id));
        Assert.Equal(second, await pipelines.GetPipelineRunAsync("p-2", None));
        Assert.Null(await pipelines.GetPipelineRunAsync("p-9", None));
    }

    [StoreFact]
    public async Task PutStepCacheEntryAsync_ThenGetAndReplace_WholeEntryByKey()
    {
        using var store = await OpenAsync();
        var pipelines = (IPipelineStore)store;
        var key = "sha256:" + new string('a', 64);
        var entry = new PipelineStepRun
        {
            CacheKey = key,
            Outputs = { new PipelineArtifact { Name = "report", Reference = "artifact:pipelines/p/v@sha256:" + new string('b', 64), Digest = "sha256:" + new string('b', 64) } },
        };
        var empty = new PipelineStepRun { CacheKey = "sha256:" + new string('e', 64) };

        await pipelines.PutStepCacheEntryAsync(entry, None);
        await pipelines.PutStepCacheEntryAsync(empty, None);

        Assert.Equal(entry, await pipelines.GetStepCacheEntryAsync(key, None));
        Assert.Equal(empty, await pipelines.GetStepCacheEntryAsync(empty.CacheKey, None));
        Assert.Null(await pipelines.GetStepCacheEntryAsync("sha256:" + new string('f', 64), None));

        var replaced = new PipelineStepRun { CacheKey = key, Outputs = { new PipelineArtifact { Name = "report", Reference = "r2", Digest = "sha256:" + new string('9', 64) } } };
        await pipelines.PutStepCacheEntryAsync(replaced, None);
        Assert.Equal(replaced, await pipelines.GetStepCacheEntryAsync(key, None));
    }

    private static PipelineRun PipelineRunAt(string id, string pipeline, int minutes) => new()
    {
        Id = id,
        Pipeline = pipeline,
        State = PipelineRunState.Running,
        Owner = "alice",
        Yaml = "name: " + pipeline,
        Parameters = { ["epochs"] = "2" },
        CreatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 27, 12, minutes, 0, TimeSpan.Zero)),
    };
}
