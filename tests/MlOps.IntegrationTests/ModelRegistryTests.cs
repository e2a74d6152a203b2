using Grpc.Core;
using MlOps.Artifacts.Configuration;
using MlOps.Artifacts.Datasets;
using MlOps.Artifacts.Models;
using MlOps.Contracts;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ModelRegistryTests
{
    [Fact]
    public async Task TrainedJob_IsRegisteredWithLineage_AndPulledOnnxReproducesItsAccuracy()
    {
        await using var cluster = new LocalCluster().WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("a1");
        var dataset = await PushDatasetAsync(cluster, "tiny-data");
        Assert.Equal(1, dataset.Version);

        var spec = Specs.TinyMlp("registered", epochs: 2);
        spec.Dataset = new DatasetRef { Name = "tiny-data", Version = "1" };
        var first = await RunAsync(cluster, spec);
        var second = await RunAsync(cluster, spec);

        var versions = (await cluster.Models.ListModelVersionsAsync(new ListModelVersionsRequest { Model = "registered" })).Versions;
        Assert.Equal([1, 2], versions.Select(v => v.Version).Order());
        var v1 = await cluster.Models.GetModelVersionAsync(new GetModelVersionRequest { Model = "registered", Version = 1 });
        Assert.Equal(first.Id, v1.Lineage.JobId);
        Assert.Equal(dataset.Digest, v1.Lineage.DatasetDigest);
        Assert.Equal("tiny-data", v1.Lineage.DatasetName);
        Assert.Equal("1", v1.Lineage.DatasetVersion);
        Assert.Equal(spec.Seed, v1.Lineage.Seed);
        Assert.True(Sha256Digest.IsValid(v1.Lineage.JobSpecDigest));
        Assert.Equal(17, v1.Lineage.Opset);
        Assert.False(string.IsNullOrEmpty(v1.Lineage.CodeVersion));
        Assert.False(string.IsNullOrEmpty(v1.Lineage.TorchsharpVersion));
        Assert.Equal(first.Result.OnnxDigest, v1.OnnxDigest);
        Assert.Equal(first.Result.Metrics["test_accuracy"], v1.Metrics["test_accuracy"]);

        // Same spec, seed and data on the same machine: byte-identical ONNX.
        var v2 = await cluster.Models.GetModelVersionAsync(new GetModelVersionRequest { Model = "registered", Version = 2 });
        Assert.Equal(second.Id, v2.Lineage.JobId);
        Assert.Equal(v1.OnnxDigest, v2.OnnxDigest);

        using var pulled = new TempDirectory("mlops-pull");
        var model = await cluster.Artifacts.PullModelAsync(v1.Repository, v1.ManifestDigest, pulled.Combine("model"));
        Assert.Equal(v1.OnnxDigest, Sha256Digest.OfFile(model.OnnxPath));
        Assert.Equal(v1.Metrics["test_accuracy"], OnnxEvaluation.TestAccuracy(model.OnnxPath, cluster.DatasetPath));

        await cluster.Models.SetAliasAsync(new SetAliasRequest { Model = "registered", Alias = "production", Version = 1 });
        await cluster.Models.SetAliasAsync(new SetAliasRequest { Model = "registered", Alias = "production", Version = 2 });
        var production = await cluster.Models.GetModelVersionAsync(new GetModelVersionRequest { Model = "registered", Alias = "production" });
        Assert.Equal(2, production.Version);
        await cluster.Models.DeleteAliasAsync(new DeleteAliasRequest { Model = "registered", Alias = "production" });
        var gone = await Assert.ThrowsAsync<RpcException>(async () =>
            await cluster.Models.GetModelVersionAsync(new GetModelVersionRequest { Model = "registered", Alias = "production" }));
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task TrainedJob_WithRegistryBackEnd_IsPulledStraightFromTheRegistryAndReproducesItsAccuracy()
    {
        await using var registry = await RegistryServer.StartAsync();
        await using var cluster = new LocalCluster().WithTinyDataset();
        cluster.CoordinatorArguments.AddRange(["--Artifacts:Kind=registry", $"--Artifacts:Url={registry.Url}", "--Artifacts:Insecure=true"]);
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("a1");
        await PushDatasetAsync(cluster, "tiny-data");

        var spec = Specs.TinyMlp("in-registry", epochs: 2);
        spec.Dataset = new DatasetRef { Name = "tiny-data", Version = "1" };
        await RunAsync(cluster, spec);
        var v1 = await cluster.Models.GetModelVersionAsync(new GetModelVersionRequest { Model = "in-registry", Version = 1 });

        // A consumer with only the registry's address pulls the same bytes.
        using var direct = ArtifactStoreFactory.CreateRegistry(new ArtifactStoreOptions { Kind = ArtifactStoreOptions.RegistryKind, Url = registry.Url, Insecure = true });
        using var pulled = new TempDirectory("mlops-pull");
        // By digest: the registry's record of the version. (The coordinator also tags it v1, just after the commit.)
        var model = await direct.PullModelAsync(v1.Repository, v1.ManifestDigest, pulled.Combine("model"));
        Assert.Equal(v1.ManifestDigest, model.ManifestDigest);
        Assert.Equal(v1.OnnxDigest, Sha256Digest.OfFile(model.OnnxPath));
        Assert.Equal(v1.Metrics["test_accuracy"], OnnxEvaluation.TestAccuracy(model.OnnxPath, cluster.DatasetPath));
    }

    [Fact]
    public async Task SubmitJob_UnknownDatasetVersionOrTraversalName_IsRejected()
    {
        await using var cluster = new LocalCluster().WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        await PushDatasetAsync(cluster, "tiny-data");

        var spec = Specs.TinyMlp("bad-version");
        spec.Dataset = new DatasetRef { Name = "tiny-data", Version = "7" };
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = spec }));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("dataset.version", ex.Status.Detail);

        ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await cluster.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = "../etc", ManifestDigest = "sha256:" + new string('0', 64) }));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("../etc", ex.Status.Detail);
        Assert.Empty((await cluster.Jobs.ListJobsAsync(new ListJobsRequest())).Jobs);
    }

    private static async Task<DatasetVersion> PushDatasetAsync(LocalCluster cluster, string name)
    {
        var files = Directory.GetFiles(cluster.DatasetPath);
        var digest = await cluster.Artifacts.PushDatasetAsync($"datasets/{name}", "upload", name, files);
        return await cluster.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = name, ManifestDigest = digest });
    }

    private static async Task<Job> RunAsync(LocalCluster cluster, JobSpec spec)
    {
        var submitted = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = spec });
        var job = await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State is JobState.Succeeded or JobState.Failed, TimeSpan.FromMinutes(2));
        Assert.True(job.State == JobState.Succeeded, $"job ended {job.State}: {job.FailureReason}\n{cluster.Diagnostics()}");
        Assert.True(job.Result.ModelVersion > 0, $"model not registered: {job.Result}\n{cluster.Diagnostics()}");
        return job;
    }
}
