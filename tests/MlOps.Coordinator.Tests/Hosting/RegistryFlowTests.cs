using Google.Protobuf;
using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Api;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Hosting;

/// <summary>
/// Datasets and models through a job's life on the real host: a registered dataset version resolved and pinned at
/// submit, the assignment naming the artifact repositories, and the model version registered when the scripted agent
/// reports success with a model artifact it pushed first.
/// </summary>
[Trait("Category", "Integration")]
public sealed class RegistryFlowTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string DataDirectory => _directory.Combine("data");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task SubmitJob_RegisteredDatasetAtVersion_PinsDigestAndAssignmentCarriesRepositories()
    {
        await using var host = await StartAsync();
        var v1 = await RegisterDatasetAsync(host, "v1", seed: 1);
        await RegisterDatasetAsync(host, "v2", seed: 2);
        await using var agent = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1");
        var spec = TestSpecs.Valid();
        spec.Dataset.Version = "1";

        var job = (await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = spec })).Job;
        var assignment = await agent.NextAssignmentAsync();

        Assert.Equal(v1.Digest, job.DatasetDigest);
        Assert.Equal("1", job.Spec.Dataset.Version);
        Assert.Equal(v1.Digest, job.Spec.Dataset.Digest);
        Assert.Equal("datasets/tiny", assignment.DatasetRepository);
        Assert.Equal(v1.Digest, assignment.DatasetDigest);
        Assert.Equal("tiny", assignment.DatasetName);
        Assert.Equal("1", assignment.DatasetVersion);
        Assert.Equal("models/tiny-mlp", assignment.ModelRepository);
        Assert.Equal(Sha256Digest.OfBytes(job.Spec.ToByteArray()), assignment.JobSpecDigest);
        Assert.Equal(Path.Combine(DataDirectory, "datasets", v1.Digest["sha256:".Length..]), assignment.DatasetPath);
    }

    [Fact]
    public async Task SubmitJob_RegisteredDatasetWithoutVersion_NewestVersion()
    {
        await using var host = await StartAsync();
        await RegisterDatasetAsync(host, "v1", seed: 1);
        var v2 = await RegisterDatasetAsync(host, "v2", seed: 2);

        var job = (await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = TestSpecs.Valid() })).Job;

        Assert.Equal(v2.Digest, job.DatasetDigest);
        Assert.Equal("2", job.Spec.Dataset.Version);
    }

    [Fact]
    public async Task SubmitJob_DatasetNamedByDigest_ThatVersionUnderItsName()
    {
        await using var host = await StartAsync();
        var v1 = await RegisterDatasetAsync(host, "v1", seed: 1);
        await RegisterDatasetAsync(host, "v2", seed: 2);
        await using var agent = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1");
        var spec = TestSpecs.Valid();
        spec.Dataset.Name = v1.Digest;

        var job = (await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = spec })).Job;
        var assignment = await agent.NextAssignmentAsync();

        Assert.Equal((TestSpecs.TinyDataset, "1", v1.Digest), (job.Spec.Dataset.Name, job.Spec.Dataset.Version, job.DatasetDigest));
        Assert.Equal("datasets/tiny", assignment.DatasetRepository);
    }

    [Fact]
    public async Task SubmitJob_UnknownVersionOrOtherDigest_InvalidArgumentOnDatasetFieldsAndNothingStored()
    {
        await using var host = await StartAsync();
        var v1 = await RegisterDatasetAsync(host, "v1", seed: 1);
        var unknown = TestSpecs.Valid();
        unknown.Dataset.Version = "7";
        var mismatch = TestSpecs.Valid();
        mismatch.Dataset.Version = "1";
        mismatch.Dataset.Digest = Sha256Digest.OfBytes([7]);

        var versionError = await Assert.ThrowsAsync<RpcException>(async () => await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = unknown }));
        var digestError = await Assert.ThrowsAsync<RpcException>(async () => await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = mismatch }));

        Assert.Equal(StatusCode.InvalidArgument, versionError.StatusCode);
        Assert.StartsWith("dataset.version: ", versionError.Status.Detail);
        Assert.Contains("known versions: 1", versionError.Status.Detail);
        Assert.Contains("\"field\":\"dataset.version\"", versionError.Trailers.GetValue(RpcErrors.FieldErrorsTrailer));
        Assert.StartsWith("dataset.digest: ", digestError.Status.Detail);
        Assert.Contains(v1.Digest, digestError.Status.Detail);
        Assert.Empty((await host.Jobs.ListJobsAsync(new ListJobsRequest())).Jobs);
    }

    [Fact]
    public async Task CompleteJob_SucceededWithModelArtifact_RegistersVersionWithMetricsAndLineage()
    {
        await using var host = await StartAsync();
        var dataset = await RegisterDatasetAsync(host, "v1", seed: 1);
        await using var agent = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1");

        var (job, model) = await RunJobAsync(host, agent, accuracy: 0.93);

        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(1, job.Result.ModelVersion);
        var version = Assert.Single((await host.Models.ListModelVersionsAsync(new ListModelVersionsRequest { Model = "tiny-mlp" })).Versions);
        Assert.Equal("tiny-mlp", version.Model);
        Assert.Equal(1, version.Version);
        Assert.Equal("models/tiny-mlp", version.Repository);
        Assert.Equal(model.ManifestDigest, version.ManifestDigest);
        Assert.Equal(model.OnnxDigest, version.OnnxDigest);
        Assert.True(version.OnnxBytes > 0);
        Assert.Equal(0.93, version.Metrics["accuracy"]);
        Assert.Equal(0.25, version.Metrics["loss"]);
        var lineage = version.Lineage;
        Assert.Equal("tiny", lineage.DatasetName);
        Assert.Equal("1", lineage.DatasetVersion);
        Assert.Equal(dataset.Digest, lineage.DatasetDigest);
        Assert.Equal(job.Id, lineage.JobId);
        Assert.Equal(Sha256Digest.OfBytes(job.Spec.ToByteArray()), lineage.JobSpecDigest);
        Assert.Equal(1, lineage.Seed);
        Assert.Equal("abc1234", lineage.CodeVersion);
        Assert.Equal("0.107.0", lineage.TorchsharpVersion);
        Assert.Equal("1.31.1", lineage.OnnxruntimeVersion);
        Assert.Equal(model.OnnxDigest, lineage.OnnxDigest);
        Assert.Equal(17, lineage.Opset);
        // The tag follows the commit (the database is the source of truth), so it may trail the job's last event.
        await WaitForTagAsync(host, "models/tiny-mlp", "v1");
        var events = await ReadAllAsync(host.Jobs.WatchJob(new WatchJobRequest { JobId = job.Id }));
        Assert.Contains(events, e => e.PayloadCase == JobEvent.PayloadOneofCase.Log && e.Log.Text.StartsWith("registered model tiny-mlp version 1", StringComparison.Ordinal));
        var summary = Assert.Single((await host.Models.ListModelsAsync(new ListModelsRequest())).Models);
        Assert.Equal(("tiny-mlp", 1, 1), (summary.Name, summary.LatestVersion, summary.VersionCount));
    }

    [Fact]
    public async Task Aliases_SetMoveGetAndDelete_FollowTheVersions()
    {
        await using var host = await StartAsync();
        await RegisterDatasetAsync(host, "v1", seed: 1);
        await using var agent = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1");
        await RunJobAsync(host, agent, accuracy: 0.90);
        await RunJobAsync(host, agent, accuracy: 0.95);
        var models = host.Models;

        var set = await models.SetAliasAsync(new SetAliasRequest { Model = "tiny-mlp", Alias = "production", Version = 1 });
        var first = await models.GetModelVersionAsync(new GetModelVersionRequest { Model = "tiny-mlp", Alias = "production" });
        var moved = await models.SetAliasAsync(new SetAliasRequest { Model = "tiny-mlp", Alias = "production", Version = 2 });
        var second = await models.GetModelVersionAsync(new GetModelVersionRequest { Model = "tiny-mlp", Alias = "production" });
        var summary = Assert.Single((await models.ListModelsAsync(new ListModelsRequest())).Models);
        var old = await models.GetModelVersionAsync(new GetModelVersionRequest { Model = "tiny-mlp", Version = 1 });
        await models.DeleteAliasAsync(new DeleteAliasRequest { Model = "tiny-mlp", Alias = "production" });
        var gone = await Assert.ThrowsAsync<RpcException>(async () =>
            await models.GetModelVersionAsync(new GetModelVersionRequest { Model = "tiny-mlp", Alias = "production" }));

        Assert.Equal(["production"], set.Aliases);
        Assert.Equal(1, first.Version);
        Assert.Equal(0.90, first.Metrics["accuracy"]);
        Assert.Equal(2, moved.Version);
        Assert.Equal(["production"], second.Aliases);
        Assert.Equal(0.95, second.Metrics["accuracy"]);
        Assert.Equal(2, summary.Aliases["production"]);
        Assert.Equal(2, summary.LatestVersion);
        Assert.Empty(old.Aliases);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Contains("tiny-mlp", gone.Status.Detail);
        Assert.Contains("production", gone.Status.Detail);
    }

    [Fact]
    public async Task Registry_BadOrMissingNames_InvalidArgumentOrNotFoundNamingThem()
    {
        await using var host = await StartAsync();
        await RegisterDatasetAsync(host, "v1", seed: 1);
        await using var agent = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1");
        await RunJobAsync(host, agent, accuracy: 0.9);
        var models = host.Models;

        var badAlias = await Assert.ThrowsAsync<RpcException>(async () =>
            await models.SetAliasAsync(new SetAliasRequest { Model = "tiny-mlp", Alias = "1prod", Version = 1 }));
        var noVersion = await Assert.ThrowsAsync<RpcException>(async () =>
            await models.SetAliasAsync(new SetAliasRequest { Model = "tiny-mlp", Alias = "production", Version = 9 }));
        var noModel = await Assert.ThrowsAsync<RpcException>(async () =>
            await models.GetModelVersionAsync(new GetModelVersionRequest { Model = "nope", Version = 1 }));
        var badModel = await Assert.ThrowsAsync<RpcException>(async () =>
            await models.ListModelVersionsAsync(new ListModelVersionsRequest { Model = "../x" }));
        var noAlias = await Assert.ThrowsAsync<RpcException>(async () =>
            await models.DeleteAliasAsync(new DeleteAliasRequest { Model = "tiny-mlp", Alias = "staging" }));

        Assert.Equal((StatusCode.InvalidArgument, "alias"), (badAlias.StatusCode, badAlias.Status.Detail.Split(':')[0]));
        Assert.Equal(StatusCode.NotFound, noVersion.StatusCode);
        Assert.Contains("model 'tiny-mlp' has no version 9 (version 1; aliases: none)", noVersion.Status.Detail);
        Assert.Equal(StatusCode.NotFound, noModel.StatusCode);
        Assert.Contains("model 'nope' not found", noModel.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, badModel.StatusCode);
        Assert.Contains("'../x'", badModel.Status.Detail);
        Assert.Equal(StatusCode.NotFound, noAlias.StatusCode);
        Assert.Contains("has no alias 'staging'", noAlias.Status.Detail);
    }

    [Fact]
    public async Task CompleteJob_ModelManifestMissingFromStore_JobSucceedsAndAnEventExplains()
    {
        await using var host = await StartAsync();
        await using var agent = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1");
        var submitted = (await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = TestSpecs.Valid() })).Job;
        var assignment = await agent.NextAssignmentAsync();
        await agent.StartedAsync(assignment);
        var missing = Sha256Digest.OfBytes([4, 2]);
        var result = new JobResult { ModelRepository = assignment.ModelRepository, ModelManifestDigest = missing };
        result.Metrics.Add("accuracy", 0.5);

        await agent.CompletedAsync(assignment, JobOutcome.Succeeded, result);
        var events = await ReadAllAsync(host.Jobs.WatchJob(new WatchJobRequest { JobId = submitted.Id }));
        var job = await host.Jobs.GetJobAsync(new GetJobRequest { JobId = submitted.Id });

        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(0, job.Result.ModelVersion);
        var explanation = Assert.Single(events, e => e.PayloadCase == JobEvent.PayloadOneofCase.Log && e.Log.Stream == LogStream.System);
        Assert.Contains("model registration failed", explanation.Log.Text);
        Assert.Contains(missing, explanation.Log.Text);
        Assert.Empty((await host.Models.ListModelsAsync(new ListModelsRequest())).Models);
    }

    private Task<CoordinatorHost> StartAsync() => CoordinatorHost.StartAsync(DataDirectory, FourPixelDataset.Write(_directory.Combine("catalog")));

    private async Task<DatasetVersion> RegisterDatasetAsync(CoordinatorHost host, string folder, int seed)
    {
        var digest = await TestArtifacts.PushDatasetAsync(host.Store, TestSpecs.TinyDataset, _directory.Combine(folder), seed);
        return await host.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = TestSpecs.TinyDataset, ManifestDigest = digest });
    }

    /// <summary>Submits the standard spec; the scripted agent pushes a model artifact as a real one would, then reports success.</summary>
    private async Task<(Job Job, (string ManifestDigest, string OnnxDigest) Model)> RunJobAsync(CoordinatorHost host, ScriptedTestAgent agent, double accuracy)
    {
        var submitted = (await host.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = TestSpecs.Valid() })).Job;
        var assignment = await agent.NextAssignmentAsync();
        await agent.StartedAsync(assignment);
        var model = await TestArtifacts.PushModelAsync(host.Store, _directory.Combine("models"), "tiny-mlp", assignment.JobId, accuracy);
        var result = new JobResult { ModelRepository = assignment.ModelRepository, ModelManifestDigest = model.ManifestDigest };
        result.Metrics.Add("accuracy", accuracy);
        await agent.CompletedAsync(assignment, JobOutcome.Succeeded, result);
        await ReadAllAsync(host.Jobs.WatchJob(new WatchJobRequest { JobId = submitted.Id }));
        return (await host.Jobs.GetJobAsync(new GetJobRequest { JobId = submitted.Id }), model);
    }

    private static async Task WaitForTagAsync(CoordinatorHost host, string repository, string tag)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (!(await host.Store.ListTagsAsync(repository, timeout.Token)).Contains(tag))
        {
            await Task.Delay(20, timeout.Token);
        }
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
}
