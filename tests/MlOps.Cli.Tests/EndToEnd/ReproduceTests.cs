using System.Text.Json;
using System.Text.RegularExpressions;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.Cli.Tests.EndToEnd;

/// <summary><c>mlops reproduce</c>: resubmits the recorded spec pinned to the recorded data, follows it, compares.</summary>
[Trait("Category", "Integration")]
public sealed class ReproduceTests : IAsyncLifetime
{
    private const string OtherOnnx = "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";

    private FakeCoordinatorForCliTests _server = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeCoordinatorForCliTests.StartAsync();
        var original = _server.Jobs.AddJob("job-7", JobState.Succeeded, owner: "alice");
        original.Spec = new JobSpec
        {
            Name = "fashion-mlp",
            Owner = "alice",
            Dataset = new DatasetRef { Name = "fashion-mnist", Version = "1" },
            Seed = 42,
            HyperParameters = new HyperParameters { Optimizer = Optimizer.Adam, LearningRate = 0.001, BatchSize = 64, Epochs = 2 },
            Model = new ModelSpec { InputShape = { 1, 28, 28 } },
        };
        original.DatasetDigest = RegistryFixtures.DatasetDigest;
        _server.Models.Add("fashion-mlp", 1, RegistryFixtures.OnnxDigest, RegistryFixtures.Lineage("job-7"),
            ("test_accuracy", 0.8857), ("test_loss", 0.3123456789), ("train_seconds", 12.5), ("samples_per_second", 4800));
        _server.Models.Versions[0].Aliases.Add("production");
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Reproduce_SameDigestAndMetrics_PinsTheDataPrintsMatchAndExitsZero()
    {
        ReproductionGives(RegistryFixtures.OnnxDigest, testLoss: 0.3123456789, trainSeconds: 13.9);

        var result = await Run("reproduce", "fashion-mlp:1");

        Assert.True(result.ExitCode == 0, result.ToString());
        var spec = Assert.Single(_server.Jobs.Submitted).Spec;
        Assert.Equal(new DatasetRef { Name = "fashion-mnist", Version = "1", Digest = RegistryFixtures.DatasetDigest }, spec.Dataset);
        Assert.Equal(("fashion-mlp", 42L, CliRun.User), (spec.Name, spec.Seed, spec.Owner));
        Assert.Equal(_server.Jobs.Jobs["job-7"].Spec.HyperParameters, spec.HyperParameters);
        Assert.Contains("reproducing fashion-mlp:1 (job job-7) as job job-1", result.Error, StringComparison.Ordinal);
        Assert.Matches(@"^CHECK\s+RECORDED\s+REPRODUCED\s+RESULT$", result.OutLines[0]);
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, @"^dataset_digest\s+sha256:dddddddddddd\s+sha256:dddddddddddd\s+MATCH$"));
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, @"^onnx_digest\s+sha256:eeeeeeeeeeee\s+sha256:eeeeeeeeeeee\s+MATCH$"));
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, @"^test_loss\s+0\.3123456789\s+0\.3123456789\s+MATCH$"));
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, @"^train_seconds\s+12\.5\s+13\.9\s+IGNORED$"));
        Assert.Equal("MATCH: fashion-mlp:2 (job job-1) reproduces fashion-mlp:1", result.OutLines[^1]);
    }

    [Fact]
    public async Task Reproduce_OtherOnnxDigestAndLoss_PrintsDifferAndExitsOne()
    {
        ReproductionGives(OtherOnnx, testLoss: 0.3123456788, trainSeconds: 12.5);

        var result = await Run("reproduce", "fashion-mlp:1");

        Assert.True(result.ExitCode == ExitCodes.JobFailed, result.ToString());
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, @"^onnx_digest\s+sha256:eeeeeeeeeeee\s+sha256:ffffffffffff\s+DIFFER$"));
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, @"^test_loss\s+0\.3123456789\s+0\.3123456788\s+DIFFER$"));
        Assert.Contains(result.OutLines, l => Regex.IsMatch(l, @"^test_accuracy\s+0\.8857\s+0\.8857\s+MATCH$"));
        Assert.Equal("DIFFER: fashion-mlp:2 (job job-1) differs from fashion-mlp:1 in 2 of 4 checks", result.OutLines[^1]);
    }

    [Fact]
    public async Task Reproduce_JobFails_ReportsItAndExitsOne()
    {
        _server.Jobs.OnSubmitted = job =>
        {
            _server.Jobs.Events[job.Id] = [JobEvents.State(job.Id, 1, JobState.Running, JobState.Failed, "out of memory")];
            job.State = JobState.Failed;
            job.FailureReason = "out of memory";
        };

        var result = await Run("reproduce", "fashion-mlp:1");

        Assert.Equal(ExitCodes.JobFailed, result.ExitCode);
        Assert.Contains("error: reproduction job job-1 ended FAILED: out of memory", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("DIFFER:", result.OutLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reproduce_WithWatch_ShowsTheRunThenTheComparison()
    {
        ReproductionGives(RegistryFixtures.OnnxDigest, testLoss: 0.3123456789, trainSeconds: 13.9);

        var result = await Run("reproduce", "fashion-mlp@production", "--watch");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("production", _server.Models.Gets.First().Alias);
        Assert.Contains(result.OutLines, l => l.EndsWith("loading fashion-mnist", StringComparison.Ordinal));
        Assert.Contains("state: SUCCEEDED", result.OutLines);
        Assert.StartsWith("MATCH:", result.OutLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reproduce_JsonOutput_PrintsOneReportObject()
    {
        ReproductionGives(OtherOnnx, testLoss: 0.3123456789, trainSeconds: 13.9);

        var result = await Run("reproduce", "fashion-mlp:1", "-o", "json");

        Assert.Equal(ExitCodes.JobFailed, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal(("fashion-mlp", 1, "job-1", "job-7", 2, false),
            (root.GetProperty("model").GetString(), root.GetProperty("version").GetInt32(), root.GetProperty("jobId").GetString(),
             root.GetProperty("originalJobId").GetString(), root.GetProperty("reproducedVersion").GetInt32(), root.GetProperty("match").GetBoolean()));
        Assert.Equal("JOB_STATE_SUCCEEDED", root.GetProperty("jobState").GetString());
        var checks = root.GetProperty("checks").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal("DIFFER", checks["onnx_digest"].GetProperty("result").GetString());
        Assert.Equal(OtherOnnx, checks["onnx_digest"].GetProperty("reproduced").GetString());
        Assert.Equal(0.3123456789, checks["test_loss"].GetProperty("recorded").GetDouble());
        Assert.Equal("IGNORED", checks["samples_per_second"].GetProperty("result").GetString());
    }

    [Fact]
    public async Task Reproduce_JobRegisteredNoVersion_ComparesWithTheJobsResult()
    {
        _server.Jobs.OnSubmitted = job =>
        {
            Succeed(job, RegistryFixtures.OnnxDigest, 0.3123456789, 20);
            job.Result.ModelVersion = 0;
        };

        var result = await Run("reproduce", "fashion-mlp:1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("MATCH: job job-1 reproduces fashion-mlp:1", result.OutLines[^1]);
    }

    [Fact]
    public async Task Reproduce_UnknownVersion_ExitsThreeAndSubmitsNothing()
    {
        var result = await Run("reproduce", "fashion-mlp:9");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Empty(_server.Jobs.Submitted);
    }

    /// <summary>The next submitted job succeeds and registers fashion-mlp:2 with these results.</summary>
    private void ReproductionGives(string onnxDigest, double testLoss, double trainSeconds) =>
        _server.Jobs.OnSubmitted = job =>
        {
            Succeed(job, onnxDigest, testLoss, trainSeconds);
            _server.Models.Add("fashion-mlp", 2, onnxDigest, RegistryFixtures.Lineage(job.Id, onnxDigest),
                ("test_accuracy", 0.8857), ("test_loss", testLoss), ("train_seconds", trainSeconds), ("samples_per_second", 4100));
        };

    private void Succeed(Job job, string onnxDigest, double testLoss, double trainSeconds)
    {
        _server.Jobs.Events[job.Id] = [.. JobEvents.SuccessfulRun(job.Id)];
        JobEvents.Succeed(job);
        job.DatasetDigest = job.Spec.Dataset.Digest;
        job.Result.DatasetDigest = job.Spec.Dataset.Digest;
        job.Result.OnnxDigest = onnxDigest;
        job.Result.ModelVersion = 2;
        job.Result.Metrics.Clear();
        job.Result.Metrics["test_accuracy"] = 0.8857;
        job.Result.Metrics["test_loss"] = testLoss;
        job.Result.Metrics["train_seconds"] = trainSeconds;
        job.Result.Metrics["samples_per_second"] = 4100;
    }

    private Task<CliResult> Run(params string[] args) => CliRun.RunAsync([.. args, "--coordinator", _server.Address]);
}
