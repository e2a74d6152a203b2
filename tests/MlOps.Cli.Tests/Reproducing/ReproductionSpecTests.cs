using MlOps.Cli.Reproducing;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Reproducing;

public sealed class ReproductionSpecTests
{
    private const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    [Fact]
    public void From_RegisteredDataset_PinsNameVersionDigestAndSeedAndKeepsTheRest()
    {
        var original = OriginalJob(new DatasetRef { Name = "fashion-mnist" });
        var recorded = Recorded(new Lineage { DatasetName = "fashion-mnist", DatasetVersion = "2", DatasetDigest = Digest, Seed = 42, JobId = "job-1" });

        var spec = ReproductionSpec.From(recorded, original, "bob");

        Assert.Equal(new DatasetRef { Name = "fashion-mnist", Version = "2", Digest = Digest }, spec.Dataset);
        Assert.Equal(42, spec.Seed);
        Assert.Equal("bob", spec.Owner);
        Assert.Equal("fashion-mlp", spec.Name);
        Assert.Equal(original.Spec.HyperParameters, spec.HyperParameters);
        Assert.Equal(original.Spec.Model, spec.Model);
        Assert.Equal("alice", original.Spec.Owner);
        Assert.Equal("", original.Spec.Dataset.Digest);
    }

    [Fact]
    public void From_LineageWithoutDatasetOrSeed_UsesTheJobsDigestAndKeepsSpecSeedAndDataset()
    {
        var original = OriginalJob(new DatasetRef { Name = "fashion-mnist" });
        original.DatasetDigest = Digest;
        original.Spec.Seed = 7;

        var spec = ReproductionSpec.From(Recorded(new Lineage { JobId = "job-1" }), original, "bob");

        Assert.Equal(new DatasetRef { Name = "fashion-mnist", Digest = Digest }, spec.Dataset);
        Assert.Equal(7, spec.Seed);
    }

    [Fact]
    public void From_NoDigestAnywhere_IsAnError()
    {
        var error = Assert.Throws<CliException>(() =>
            ReproductionSpec.From(Recorded(new Lineage { JobId = "job-1" }), OriginalJob(new DatasetRef { Name = "x" }), "bob"));

        Assert.Contains("records no dataset digest", error.Message, StringComparison.Ordinal);
    }

    private static ModelVersion Recorded(Lineage lineage) => new() { Model = "fashion-mlp", Version = 1, Lineage = lineage };

    private static Job OriginalJob(DatasetRef dataset) => new()
    {
        Id = "job-1",
        Spec = new JobSpec
        {
            Name = "fashion-mlp",
            Owner = "alice",
            Dataset = dataset,
            Seed = 1,
            HyperParameters = new HyperParameters { Epochs = 3, BatchSize = 64, LearningRate = 0.001, Optimizer = Optimizer.Adam },
            Model = new ModelSpec { InputShape = { 1, 28, 28 } },
        },
    };
}
