using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.Cli.Tests.Pipelines;

/// <summary><c>mlops pipeline run|ls|show</c> against the fake coordinator's PipelineService.</summary>
public sealed class PipelineCommandTests : IAsyncLifetime
{
    private const string Pipeline = """
        name: fake
        parameters:
          epochs: 2
        steps:
          - name: validate
            kind: validate
            inputs: { data: "dataset:tiny@1" }
            outputs: [report]
          - name: train
            kind: train
            depends_on: [validate]
            inputs: { data: "dataset:tiny@1" }
            outputs: [model]
            params:
              job: job.yaml
        """;

    private const string Job = """
        name: tiny-mlp
        model: { input_shape: [1, 4, 4], layers: [flatten, { linear: 10 }] }
        hyper_parameters: { optimizer: adam, learning_rate: 0.001, batch_size: 4, epochs: 1 }
        """;

    private static readonly string Digest = "sha256:" + new string('a', 64);

    private readonly TempDirectory _directory = new();
    private FakeCoordinatorForCliTests _server = null!;

    public async Task InitializeAsync() => _server = await FakeCoordinatorForCliTests.StartAsync();

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Run_FileWithJobFileAndParams_SendsInlinedYamlAndPrintsRunId()
    {
        var path = WritePipeline();

        var result = await Cli("pipeline", "run", path, "--param", "epochs=3", "--no-cache");

        Assert.True(result.ExitCode == 0, result.ToString());
        var sent = Assert.Single(_server.Pipelines.Requests);
        Assert.Contains("tiny-mlp", sent.Yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("job.yaml", sent.Yaml, StringComparison.Ordinal);
        Assert.Equal("3", sent.Parameters["epochs"]);
        Assert.True(sent.NoCache);
        Assert.Equal(CliRun.User, sent.Owner);
        Assert.Matches("^p-[0-9]{16}$", Assert.Single(result.OutLines));
    }

    [Fact]
    public async Task Run_InvalidPipeline_ExitsTwoWithFieldPathsAndSendsNothing()
    {
        var path = _directory.Combine("bad.yaml");
        await File.WriteAllTextAsync(path, "name: bad\nsteps:\n  - name: fit\n    kind: trian\n");

        var result = await Cli("pipeline", "run", path, "--param", "nope=1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("steps[0].kind", result.Error, StringComparison.Ordinal);
        Assert.Empty(_server.Pipelines.Requests);
    }

    [Fact]
    public async Task Run_UndeclaredParam_ExitsTwoNamingIt()
    {
        var result = await Cli("pipeline", "run", WritePipeline(), "--param", "learning_rate=0.1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("learning_rate", result.Error, StringComparison.Ordinal);
        Assert.Empty(_server.Pipelines.Requests);
    }

    [Fact]
    public async Task Run_BadParamSyntax_ExitsTwo()
    {
        var result = await Cli("pipeline", "run", WritePipeline(), "--param", "epochs");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("NAME=VALUE", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ServerInvalidArgument_ExitsTwoWithTheField()
    {
        _server.Pipelines.RunError = new Status(StatusCode.InvalidArgument, "steps[1].params.job.model: something the server dislikes");

        var result = await Cli("pipeline", "run", WritePipeline());

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("steps[1].params.job.model", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunWatch_StepsMoveOn_PrintsEachChangeAndExitsByState()
    {
        _server.Pipelines.StepNames = ["validate", "train"];
        var run = Run("p-0000000000000001", PipelineRunState.Running, (PipelineStepState.Running, ""), (PipelineStepState.Pending, ""));
        var done = Run("p-0000000000000001", PipelineRunState.Failed, (PipelineStepState.Cached, ""), (PipelineStepState.Failed, "job j-1 ended FAILED: oom"));
        _server.Pipelines.Then("p-0000000000000001", run, done);

        var result = await CliRun.RunWithClockAsync(new FakeTimeProvider(DateTimeOffset.UtcNow), TimeSpan.FromSeconds(1),
            "pipeline", "run", WritePipeline(), "--watch", "--coordinator", _server.Address);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.OutLines, l => l.Contains("validate RUNNING", StringComparison.Ordinal));
        Assert.Contains(result.OutLines, l => l.Contains("validate CACHED", StringComparison.Ordinal) && l.Contains("report=", StringComparison.Ordinal));
        Assert.Contains(result.OutLines, l => l.Contains("train FAILED job j-1 ended FAILED: oom", StringComparison.Ordinal));
        Assert.Contains(result.OutLines, l => l.StartsWith("state:", StringComparison.Ordinal) && l.Contains("FAILED", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Show_Run_HeaderAndStepTableWithCachedOutputsJobAndError()
    {
        var run = Run("p-7", PipelineRunState.Failed, (PipelineStepState.Cached, ""), (PipelineStepState.Failed, "boom"));
        run.Steps[1].JobId = "j-0000000000000009";
        _server.Pipelines.Set(run);

        var result = await Cli("pipeline", "show", "p-7");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.OutLines, l => l.StartsWith("run:", StringComparison.Ordinal) && l.EndsWith("p-7", StringComparison.Ordinal));
        Assert.Contains(result.OutLines, l => l.StartsWith("steps:", StringComparison.Ordinal) && l.Contains("1/2 steps done (1 cached)", StringComparison.Ordinal));
        var validate = Assert.Single(result.OutLines, l => l.StartsWith("validate", StringComparison.Ordinal));
        Assert.Contains("CACHED", validate, StringComparison.Ordinal);
        Assert.Contains("report=artifact:pipelines/fake/validate@", validate, StringComparison.Ordinal);
        Assert.Contains("(sha256:aaaaaaaaaaaa)", validate, StringComparison.Ordinal);
        var train = Assert.Single(result.OutLines, l => l.StartsWith("train", StringComparison.Ordinal));
        Assert.Contains("j-0000000000000009", train, StringComparison.Ordinal);
        Assert.Contains("boom", train, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Json_TheRunMessage()
    {
        _server.Pipelines.Set(Run("p-8", PipelineRunState.Succeeded, (PipelineStepState.Succeeded, "")));

        var result = await Cli("pipeline", "show", "p-8", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("p-8", json.RootElement.GetProperty("id").GetString());
        Assert.Equal("PIPELINE_RUN_STATE_SUCCEEDED", json.RootElement.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Show_UnknownRun_ExitsNotFound()
    {
        var result = await Cli("pipeline", "show", "p-404");

        Assert.Equal(3, result.ExitCode);
    }

    [Fact]
    public async Task Ls_Runs_TableNewestFirst()
    {
        _server.Pipelines.Set(Run("p-1", PipelineRunState.Succeeded, (PipelineStepState.Cached, "")));
        _server.Pipelines.Set(Run("p-2", PipelineRunState.Running, (PipelineStepState.Running, "")));

        var result = await Cli("pipeline", "ls", "--limit", "5");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("ID", result.OutLines[0], StringComparison.Ordinal);
        Assert.StartsWith("p-2", result.OutLines[1], StringComparison.Ordinal);
        Assert.StartsWith("p-1", result.OutLines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ls_NoRuns_SaysSo()
    {
        var result = await Cli("pipeline", "ls", "other");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("no runs of pipeline other yet", result.Error, StringComparison.Ordinal);
    }

    private string WritePipeline()
    {
        File.WriteAllText(_directory.Combine("job.yaml"), Job);
        var path = _directory.Combine("pipeline.yaml");
        File.WriteAllText(path, Pipeline);
        return path;
    }

    private static PipelineRun Run(string id, PipelineRunState state, params (PipelineStepState State, string Error)[] steps)
    {
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var run = new PipelineRun { Id = id, Pipeline = "fake", State = state, Owner = "tester", CreatedAt = now };
        string[] names = ["validate", "train"];
        for (var i = 0; i < steps.Length; i++)
        {
            var step = new PipelineStepRun { Name = names[i], Kind = names[i], State = steps[i].State, Error = steps[i].Error, StartedAt = now };
            if (steps[i].State is PipelineStepState.Succeeded or PipelineStepState.Cached)
            {
                step.FinishedAt = now;
                step.Outputs.Add(new PipelineArtifact { Name = "report", Reference = "artifact:pipelines/fake/validate@" + Digest, Digest = Digest });
            }

            run.Steps.Add(step);
        }

        return run;
    }

    private Task<CliResult> Cli(params string[] args) => CliRun.RunAsync([.. args, "--coordinator", _server.Address]);
}
