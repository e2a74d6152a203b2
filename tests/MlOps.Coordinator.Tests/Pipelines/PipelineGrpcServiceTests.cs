using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Contracts;
using MlOps.Coordinator.Api;
using MlOps.Coordinator.Storage;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Pipelines;

/// <summary>Pipelines over a real channel to the real host: parse errors, validate → register, the cache on a second
/// run, failures listed, the kinds that cannot run yet, ingest's roots, and a train step whose job a scripted agent runs.</summary>
[Trait("Category", "Integration")]
public sealed class PipelineGrpcServiceTests : IDisposable
{
    private const string ValidateThenRegister = """
        name: checks
        steps:
          - name: validate
            kind: validate
            inputs: { data: "dataset:tiny@1" }
            outputs: [report]
            params: { format: mnist-idx, min_examples: 30, num_classes: 10, checks: [labels-in-range, no-duplicate-files, non-empty-splits] }
          - name: register
            kind: register
            depends_on: [validate]
            inputs: { model: "model:tiny-mlp@1" }
            outputs: [version]
            params: { model: tiny-mlp, aliases: [staging] }
        """;

    private readonly TempDirectory _directory = new();

    private string DataDirectory => _directory.Combine("data");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task RunPipeline_BadYaml_InvalidArgumentNamingEveryField()
    {
        await using var host = await StartAsync();
        var client = new PipelineService.PipelineServiceClient(host.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.RunPipelineAsync(new RunPipelineRequest
        {
            Yaml = """
                name: bad
                steps:
                  - name: fit
                    kind: trian
                  - name: check
                    kind: validate
                    inputs: { data: steps.nothing.outputs.dataset }
                """,
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("steps[0].kind", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("steps[1].inputs.data", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("steps[0].kind", error.Trailers.GetValue(RpcErrors.FieldErrorsTrailer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunPipeline_UndeclaredParameter_InvalidArgument()
    {
        await using var host = await StartAsync();
        var client = new PipelineService.PipelineServiceClient(host.Channel);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.RunPipelineAsync(new RunPipelineRequest
        {
            Yaml = ValidateThenRegister,
            Parameters = { ["epochs"] = "3" },
        }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("epochs", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunPipeline_ValidateThenRegisterTwice_SecondRunAllCached()
    {
        await using var host = await StartAsync();
        var client = new PipelineService.PipelineServiceClient(host.Channel);
        var dataset = await RegisterDatasetAsync(host);
        var model = await AddModelVersionAsync(host);

        var started = await client.RunPipelineAsync(new RunPipelineRequest { Yaml = ValidateThenRegister, Owner = "alice" });
        var first = await WaitAsync(client, started.Id);

        Assert.Equal(PipelineRunState.Running, started.State);
        Assert.Equal(["validate", "register"], started.Steps.Select(s => s.Name));
        Assert.Equal(PipelineRunState.Succeeded, first.State);
        Assert.All(first.Steps, s => Assert.Equal(PipelineStepState.Succeeded, s.State));
        Assert.Equal("alice", first.Owner);
        Assert.Equal(ValidateThenRegister, first.Yaml);
        var report = Assert.Single(first.Steps[0].Outputs);
        Assert.Equal("report", report.Name);
        Assert.StartsWith("artifact:pipelines/checks/validate@sha256:", report.Reference, StringComparison.Ordinal);
        Assert.Equal(dataset.Digest, Assert.Single(first.Steps[0].Inputs).Digest);
        Assert.Equal(report.Digest, (await host.Store.GetManifestAsync("pipelines/checks/validate", "latest")).Digest);
        Assert.Equal(model.ManifestDigest, Assert.Single(first.Steps[1].Outputs).Digest);
        Assert.Equal("model:tiny-mlp@1", first.Steps[1].Outputs[0].Reference);
        var registry = host.Services.GetRequiredService<IRegistryStore>();
        Assert.Equal(1, (await registry.GetModelVersionByAliasAsync("tiny-mlp", "staging", CancellationToken.None))?.Version);

        var second = await WaitAsync(client, (await client.RunPipelineAsync(new RunPipelineRequest { Yaml = ValidateThenRegister })).Id);

        Assert.Equal(PipelineRunState.Succeeded, second.State);
        Assert.All(second.Steps, s => Assert.Equal(PipelineStepState.Cached, s.State));
        Assert.Equal(first.Steps.Select(s => s.CacheKey), second.Steps.Select(s => s.CacheKey));
        Assert.Equal(first.Steps.SelectMany(s => s.Outputs), second.Steps.SelectMany(s => s.Outputs));
        var listed = (await client.ListPipelineRunsAsync(new ListPipelineRunsRequest { Pipeline = "checks" })).Runs;
        Assert.Equal([second.Id, first.Id], listed.Select(r => r.Id));

        var forced = await WaitAsync(client, (await client.RunPipelineAsync(new RunPipelineRequest { Yaml = ValidateThenRegister, NoCache = true })).Id);
        Assert.All(forced.Steps, s => Assert.Equal(PipelineStepState.Succeeded, s.State));
    }

    [Fact]
    public async Task RunPipeline_ValidateFails_EveryProblemListedAndDownstreamSkipped()
    {
        await using var host = await StartAsync();
        var client = new PipelineService.PipelineServiceClient(host.Channel);
        await RegisterDatasetAsync(host);
        await AddModelVersionAsync(host);
        var yaml = ValidateThenRegister.Replace("min_examples: 30, num_classes: 10", "min_examples: 1000, num_classes: 3", StringComparison.Ordinal)
            .Replace("non-empty-splits", "no-such-check", StringComparison.Ordinal);

        var run = await WaitAsync(client, (await client.RunPipelineAsync(new RunPipelineRequest { Yaml = yaml })).Id);

        Assert.Equal(PipelineRunState.Failed, run.State);
        Assert.Equal(PipelineStepState.Failed, run.Steps[0].State);
        Assert.Contains("fewer than min_examples 1000", run.Steps[0].Error, StringComparison.Ordinal);
        Assert.Contains("expected num_classes 3", run.Steps[0].Error, StringComparison.Ordinal);
        Assert.Contains("unknown check 'no-such-check'", run.Steps[0].Error, StringComparison.Ordinal);
        Assert.Equal(PipelineStepState.Skipped, run.Steps[1].State);
        Assert.Contains("validate", run.Steps[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunPipeline_PrepareStep_CommandJobOnAnAgentAndItsDatasetRegistered()
    {
        await using var host = await StartAsync("--Pipelines:PollInterval=00:00:00.050");
        var client = new PipelineService.PipelineServiceClient(host.Channel);
        var dataset = await RegisterDatasetAsync(host);
        await using var agent = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1");

        var started = await client.RunPipelineAsync(new RunPipelineRequest
        {
            Yaml = """
                name: prep
                steps:
                  - name: prepare
                    kind: prepare
                    inputs: { data: "dataset:tiny" }
                    outputs: [dataset]
                    params: { brightness: 0.2, train_fraction: 0.5, resources: { cpu_cores: 1 } }
                """,
        });
        var assignment = await agent.NextAssignmentAsync();
        await agent.StartedAsync(assignment);
        // What the agent's built-in prepare would push: a dataset artifact in the prepared dataset's repository.
        var pushed = await TestArtifacts.PushDatasetAsync(host.Store, "prep-prepare", _directory.Combine("prepared"), seed: 2);
        var result = new JobResult();
        result.Outputs.Add(new CommandOutput { Name = "dataset", Repository = "datasets/prep-prepare", ManifestDigest = pushed });
        await agent.CompletedAsync(assignment, JobOutcome.Succeeded, result);
        var run = await WaitAsync(client, started.Id);

        var command = assignment.Spec.Command;
        Assert.Equal("prepare", command.Builtin);
        Assert.Equal("0.2", command.Params["brightness"]);
        Assert.Equal("0.5", command.Params["train_fraction"]);
        Assert.False(command.Params.ContainsKey("resources"));
        Assert.Equal("datasets/prep-prepare", command.OutputRepository);
        var input = Assert.Single(command.Inputs);
        Assert.Equal(("data", "dataset", "datasets/tiny", dataset.Digest), (input.Name, input.Kind, input.Repository, input.ManifestDigest));
        Assert.True(run.State == PipelineRunState.Succeeded, run.ToString());
        Assert.Equal(assignment.JobId, run.Steps[0].JobId);
        Assert.Equal("dataset:prep-prepare@1", run.Steps[0].Outputs[0].Reference);
        Assert.Equal(pushed, run.Steps[0].Outputs[0].Digest);
    }

    [Fact]
    public async Task RunPipeline_IngestWithoutRoots_RefusedNamingTheOption()
    {
        await using var host = await StartAsync();
        var client = new PipelineService.PipelineServiceClient(host.Channel);

        var run = await WaitAsync(client, (await client.RunPipelineAsync(new RunPipelineRequest { Yaml = Ingest(_directory.Combine("raw")) })).Id);

        Assert.Equal(PipelineRunState.Failed, run.State);
        Assert.Contains("Pipelines:IngestRoots", run.Steps[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunPipeline_IngestUnderRoot_DatasetVersionAndOutsideRootRefused()
    {
        var root = _directory.Combine("raw");
        FourPixelDataset.Write(Path.Combine(root, "tiny"));
        Directory.CreateDirectory(_directory.Combine("elsewhere"));
        await using var host = await StartAsync($"--Pipelines:IngestRoots:0={root}");
        var client = new PipelineService.PipelineServiceClient(host.Channel);

        var run = await WaitAsync(client, (await client.RunPipelineAsync(new RunPipelineRequest { Yaml = Ingest("file://" + Path.Combine(root, "tiny")) })).Id);
        var outside = await WaitAsync(client, (await client.RunPipelineAsync(new RunPipelineRequest { Yaml = Ingest(_directory.Combine("elsewhere")) })).Id);

        Assert.Equal(PipelineRunState.Succeeded, run.State);
        Assert.Equal("dataset:ingested@1", run.Steps[0].Outputs[0].Reference);
        var registry = host.Services.GetRequiredService<IRegistryStore>();
        Assert.Equal(run.Steps[0].Outputs[0].Digest, (await registry.GetDatasetVersionAsync("ingested", 1, CancellationToken.None))?.Digest);
        Assert.Equal(PipelineRunState.Failed, outside.State);
        Assert.Contains("is not under Pipelines:IngestRoots", outside.Steps[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunPipeline_IngestOfALinkedDirectoryUnderTheRoot_RefusedAsLeadingOutside()
    {
        // The directory is under the root by its name only: root/innocent -> elsewhere, whose files are no links.
        var root = Directory.CreateDirectory(_directory.Combine("raw")).FullName;
        var elsewhere = FourPixelDataset.Write(_directory.Combine("elsewhere"));
        Directory.CreateSymbolicLink(Path.Combine(root, "innocent"), elsewhere);
        await using var host = await StartAsync($"--Pipelines:IngestRoots:0={root}");
        var client = new PipelineService.PipelineServiceClient(host.Channel);

        var run = await WaitAsync(client, (await client.RunPipelineAsync(new RunPipelineRequest { Yaml = Ingest(Path.Combine(root, "innocent")) })).Id);

        Assert.Equal(PipelineRunState.Failed, run.State);
        Assert.Contains("leads outside Pipelines:IngestRoots through a symbolic link", run.Steps[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunPipeline_TrainStep_SubmitsJobOnPinnedDatasetAndOutputsRegisteredModel()
    {
        await using var host = await StartAsync("--Pipelines:PollInterval=00:00:00.050");
        var client = new PipelineService.PipelineServiceClient(host.Channel);
        var dataset = await RegisterDatasetAsync(host);
        await using var agent = await ScriptedTestAgent.ConnectAsync(host.Channel, "agent-1");

        var started = await client.RunPipelineAsync(new RunPipelineRequest
        {
            Yaml = """
                name: fit
                steps:
                  - name: train
                    kind: train
                    inputs: { data: "dataset:tiny" }
                    outputs: [model]
                    params:
                      job:
                        name: tiny-mlp
                        model: { input_shape: [1, 4, 4], layers: [flatten, { linear: 16 }, relu, { linear: 10 }] }
                        hyper_parameters: { optimizer: adam, learning_rate: 0.001, batch_size: 4, epochs: 1 }
                        resources: { cpu_cores: 1, memory_mb: 100 }
                """,
        });
        var assignment = await agent.NextAssignmentAsync();
        await agent.StartedAsync(assignment);
        var model = await TestArtifacts.PushModelAsync(host.Store, _directory.Combine("models"), "tiny-mlp", assignment.JobId, 0.9);
        await agent.CompletedAsync(assignment, JobOutcome.Succeeded,
            new JobResult { ModelRepository = assignment.ModelRepository, ModelManifestDigest = model.ManifestDigest });
        var run = await WaitAsync(client, started.Id);

        Assert.Equal(PipelineRunState.Succeeded, run.State);
        Assert.Equal(assignment.JobId, run.Steps[0].JobId);
        Assert.Equal(dataset.Digest, assignment.DatasetDigest);
        Assert.Equal("model:tiny-mlp@1", run.Steps[0].Outputs[0].Reference);
        Assert.Equal(model.ManifestDigest, run.Steps[0].Outputs[0].Digest);
    }

    [Fact]
    public async Task GetAndCancel_UnknownOrFinishedRun_NotFoundAndFailedPrecondition()
    {
        await using var host = await StartAsync();
        var client = new PipelineService.PipelineServiceClient(host.Channel);
        var run = await WaitAsync(client, (await client.RunPipelineAsync(new RunPipelineRequest { Yaml = Ingest("/nowhere") })).Id);

        var missing = await Assert.ThrowsAsync<RpcException>(() => client.GetPipelineRunAsync(new GetPipelineRunRequest { Id = "p-0" }).ResponseAsync);
        var finished = await Assert.ThrowsAsync<RpcException>(() => client.CancelPipelineRunAsync(new CancelPipelineRunRequest { Id = run.Id }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Equal(StatusCode.FailedPrecondition, finished.StatusCode);
    }

    private static string Ingest(string source) => $"""
        name: ingest
        steps:
          - name: ingest
            kind: ingest
            outputs: [dataset]
            params: {"{"} source: "{source}", dataset: ingested, format: mnist-idx {"}"}
        """;

    private Task<CoordinatorHost> StartAsync(params string[] extraArgs) =>
        CoordinatorHost.StartAsync(DataDirectory, FourPixelDataset.Write(_directory.Combine("catalog")), extraArgs);

    private async Task<DatasetVersion> RegisterDatasetAsync(CoordinatorHost host)
    {
        var digest = await TestArtifacts.PushDatasetAsync(host.Store, TestSpecs.TinyDataset, _directory.Combine("v1"));
        return await host.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = TestSpecs.TinyDataset, ManifestDigest = digest });
    }

    private async Task<ModelVersion> AddModelVersionAsync(CoordinatorHost host)
    {
        var model = await TestArtifacts.PushModelAsync(host.Store, _directory.Combine("models"), "tiny-mlp", "j-0000000000000001", 0.9);
        var registry = host.Services.GetRequiredService<IRegistryStore>();
        return await registry.AddModelVersionAsync(new ModelVersion
        {
            Model = "tiny-mlp",
            Repository = "models/tiny-mlp",
            ManifestDigest = model.ManifestDigest,
            Lineage = new Lineage { JobId = "j-0000000000000001" },
        }, CancellationToken.None);
    }

    private static async Task<PipelineRun> WaitAsync(PipelineService.PipelineServiceClient client, string id)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var run = await client.GetPipelineRunAsync(new GetPipelineRunRequest { Id = id }, cancellationToken: timeout.Token);
            if (run.State != PipelineRunState.Running)
            {
                return run;
            }

            await Task.Delay(50, timeout.Token);
        }
    }
}
