using Grpc.Core;
using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class BadInputTests
{
    [Fact]
    public async Task SubmitJob_BadSpecsAndBadData_AreRejectedWithFieldsNothingStoredAndServiceKeepsRunning()
    {
        await using var cluster = new LocalCluster().WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("a1");

        var bad = Specs.TinyMlp("bad");
        bad.HyperParameters.Epochs = -5;
        bad.HyperParameters.LearningRate = -1;
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = bad }));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("hyper_parameters.epochs", ex.Status.Detail);
        Assert.Contains("hyper_parameters.learning_rate", ex.Status.Detail);

        var unknown = Specs.TinyMlp("unknown-data");
        unknown.Dataset.Name = "imagenet";
        ex = await Assert.ThrowsAsync<RpcException>(async () => await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = unknown }));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("dataset.name", ex.Status.Detail);

        var truncated = Path.Combine(cluster.DatasetPath, "train-images-idx3-ubyte.gz");
        var original = await File.ReadAllBytesAsync(truncated);
        TinyMnistDataset.Truncate(truncated, 0.6);
        ex = await Assert.ThrowsAsync<RpcException>(async () => await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("truncated") }));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("train-images-idx3-ubyte.gz", ex.Status.Detail);

        File.Delete(truncated);
        ex = await Assert.ThrowsAsync<RpcException>(async () => await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("missing") }));
        Assert.Contains("train-images-idx3-ubyte.gz", ex.Status.Detail);

        var listed = await cluster.Jobs.ListJobsAsync(new ListJobsRequest());
        Assert.Empty(listed.Jobs);

        await File.WriteAllBytesAsync(truncated, original);
        var good = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("good", epochs: 1) });
        var job = await cluster.WaitForJobAsync(good.Job.Id, j => j.State is JobState.Succeeded or JobState.Failed, TimeSpan.FromMinutes(2));
        Assert.Equal(JobState.Succeeded, job.State);
        Assert.False(cluster.Coordinator!.HasExited);
    }
}
