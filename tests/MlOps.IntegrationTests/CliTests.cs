using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class CliTests
{
    private const string TinySpec = """
        name: cli-tiny
        dataset: tiny
        seed: 5
        model:
          input_shape: [1, 28, 28]
          layers: [flatten, {linear: 32}, relu, {linear: 10}]
        hyper_parameters: {optimizer: adam, learning_rate: 0.005, batch_size: 32, epochs: 2}
        resources: {cpu_cores: 1}
        """;

    [Fact]
    public async Task SubmitWatch_RealCluster_PrintsTestAccuracyAndExitsZero()
    {
        await using var cluster = new LocalCluster().WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("a1");
        var spec = Path.Combine(cluster.RootPath, "job.yaml");
        await File.WriteAllTextAsync(spec, TinySpec);

        await using var cli = ServiceProcess.Start("mlops", BuiltBinaries.Cli, ["submit", spec, "--watch", "--coordinator", cluster.Address]);
        var exit = await cli.WaitForExitAsync(TimeSpan.FromMinutes(2));

        Assert.True(exit == 0, $"mlops exited {exit}:\n{cli.Output}\n{cluster.Diagnostics()}");
        Assert.Contains("test_accuracy:", cli.Output);
        var jobs = await cluster.Jobs.ListJobsAsync(new ListJobsRequest());
        Assert.Equal(JobState.Succeeded, Assert.Single(jobs.Jobs).State);
    }

    [Fact]
    public async Task DataPushSubmitReproduce_RealCluster_ReproducesTheVersionExactly()
    {
        await using var cluster = new LocalCluster().WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("a1");
        var spec = Path.Combine(cluster.RootPath, "job.yaml");
        await File.WriteAllTextAsync(spec, TinySpec.Replace("dataset: tiny", "dataset: tiny-data@1"));

        await using var push = ServiceProcess.Start("mlops", BuiltBinaries.Cli, ["data", "push", "tiny-data", cluster.DatasetPath, "--coordinator", cluster.Address]);
        Assert.True(await push.WaitForExitAsync(TimeSpan.FromMinutes(1)) == 0, push.Output);
        Assert.Contains("tiny-data@1", push.Output);
        await using var submit = ServiceProcess.Start("mlops", BuiltBinaries.Cli, ["submit", spec, "--watch", "--coordinator", cluster.Address]);
        Assert.True(await submit.WaitForExitAsync(TimeSpan.FromMinutes(2)) == 0, $"{submit.Output}\n{cluster.Diagnostics()}");

        await using var reproduce = ServiceProcess.Start("mlops", BuiltBinaries.Cli, ["reproduce", "cli-tiny:1", "--coordinator", cluster.Address]);
        var exit = await reproduce.WaitForExitAsync(TimeSpan.FromMinutes(2));

        Assert.True(exit == 0, $"reproduce exited {exit}:\n{reproduce.Output}\n{cluster.Diagnostics()}");
        Assert.Matches(@"(?m)^MATCH: cli-tiny:2 \(job j-[0-9a-z]+\) reproduces cli-tiny:1$", reproduce.Output);
        var versions = await cluster.Models.ListModelVersionsAsync(new ListModelVersionsRequest { Model = "cli-tiny" });
        Assert.Equal(versions.Versions[0].OnnxDigest, versions.Versions[1].OnnxDigest);
    }

    [Fact]
    public async Task Submit_UnknownKeyAndNegativeEpochs_ExitsTwoNamingFieldsAndStoresNothing()
    {
        await using var cluster = new LocalCluster().WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        var unknownKey = Path.Combine(cluster.RootPath, "unknown.yaml");
        await File.WriteAllTextAsync(unknownKey, TinySpec.Replace("seed: 5", "seed: 5\nlearning_rat: 3"));
        var negative = Path.Combine(cluster.RootPath, "negative.yaml");
        await File.WriteAllTextAsync(negative, TinySpec.Replace("epochs: 2", "epochs: -2"));

        await using var first = ServiceProcess.Start("mlops", BuiltBinaries.Cli, ["submit", unknownKey, "--coordinator", cluster.Address]);
        Assert.Equal(2, await first.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("learning_rat", first.Output);

        await using var second = ServiceProcess.Start("mlops", BuiltBinaries.Cli, ["submit", negative, "--coordinator", cluster.Address]);
        Assert.Equal(2, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("hyper_parameters.epochs", second.Output);

        var jobs = await cluster.Jobs.ListJobsAsync(new ListJobsRequest());
        Assert.Empty(jobs.Jobs);
    }
}
