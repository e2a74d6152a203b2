using MlOps.Artifacts.Datasets;
using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>
/// A pipeline run by the real coordinator on a real agent: validate → train → register → deploy on a pushed dataset
/// version, then again unchanged (all cached but the deploy, which has <c>cache: false</c>), then with a new epoch
/// count (train and what follows run again, validate stays cached).
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PipelineTests
{
    private const string Model = "pipeline-tiny";

    private const string Pipeline = $$"""
        name: tiny
        parameters:
          epochs: 1
        steps:
          - name: validate
            kind: validate
            inputs: { data: "dataset:tiny-data@1" }
            outputs: [report]
            params: { format: mnist-idx, min_examples: 100, num_classes: 10, checks: [labels-in-range, no-duplicate-files] }
          - name: train
            kind: train
            depends_on: [validate]
            inputs: { data: "dataset:tiny-data@1" }
            outputs: [model]
            params:
              job:
                name: {{Model}}
                seed: 3
                model: { input_shape: [1, 28, 28], layers: [flatten, { linear: 32 }, relu, { linear: 10 }] }
                hyper_parameters: { optimizer: adam, learning_rate: 0.005, batch_size: 32, epochs: "${parameters.epochs}" }
                resources: { cpu_cores: 1 }
          - name: register
            kind: register
            inputs: { model: steps.train.outputs.model }
            outputs: [version]
            params: { model: {{Model}}, aliases: [staging] }
          - name: deploy
            kind: deploy
            cache: false
            inputs: { model: steps.register.outputs.version }
            params: { name: {{Model}}, replicas: 1 }
        """;

    [Fact]
    public async Task RunPipeline_ThenUnchangedThenNewEpochs_CachedExactlyWhereNothingChanged()
    {
        await using var cluster = new LocalCluster().WithTinyDataset(trainCount: 300, testCount: 100);
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("worker", (FreePort.Next(), FreePort.Next()));
        var files = Directory.GetFiles(cluster.DatasetPath);
        var digest = await cluster.Artifacts.PushDatasetAsync("datasets/tiny-data", "upload", "tiny-data", files);
        await cluster.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = "tiny-data", ManifestDigest = digest });

        var first = await RunAsync(cluster, []);
        Assert.Equal(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"], States(first));
        Assert.Equal($"model:{Model}@1", first.Steps[1].Outputs[0].Reference);
        Assert.NotEmpty(first.Steps[1].JobId);

        var second = await RunAsync(cluster, []);
        Assert.Equal(["CACHED", "CACHED", "CACHED", "SUCCEEDED"], States(second));
        Assert.Equal(first.Steps[1].Outputs, second.Steps[1].Outputs);

        var third = await RunAsync(cluster, new Dictionary<string, string> { ["epochs"] = "2" });
        Assert.Equal(["CACHED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"], States(third));
        Assert.Equal($"model:{Model}@2", third.Steps[1].Outputs[0].Reference);
        var staging = await cluster.Models.GetModelVersionAsync(new GetModelVersionRequest { Model = Model, Alias = "staging" });
        Assert.Equal(2, staging.Version);
        var deployment = await cluster.Deployments.GetDeploymentAsync(new GetDeploymentRequest { Name = Model });
        Assert.Equal(DeploymentPhase.Available, deployment.Phase);
        Assert.Equal(2, deployment.Spec.Target.Version);
    }

    private const string OnAgents = $$"""
        name: inverted
        steps:
          - name: prepare
            kind: prepare
            inputs: { data: "dataset:tiny-data@1" }
            outputs: [dataset]
            params: { dataset: tiny-inverted, invert: true, train_fraction: 1, test_fraction: 0.5, append: true, seed: 3 }
          - name: train
            kind: train
            inputs: { data: steps.prepare.outputs.dataset }
            outputs: [model]
            params:
              job:
                name: {{Model}}-inverted
                seed: 3
                model: { input_shape: [1, 28, 28], layers: [flatten, { linear: 32 }, relu, { linear: 10 }] }
                hyper_parameters: { optimizer: adam, learning_rate: 0.005, batch_size: 32, epochs: 3 }
                resources: { cpu_cores: 1 }
          - name: evaluate
            kind: evaluate
            inputs: { model: steps.train.outputs.model, data: steps.prepare.outputs.dataset }
            outputs: [metrics]
            params: { min_accuracy: 0.5 }
          - name: report
            kind: command
            inputs: { metrics: steps.evaluate.outputs.metrics }
            outputs: [report]
            params: { command: [/bin/cp, "${inputs.metrics}/metrics.json", "${outputs.report}/evaluation.json"] }
        """;

    [Fact]
    public async Task RunPipeline_PrepareTrainEvaluateCommandOnAgents_OutputsAreArtifactsAndTheRerunIsCached()
    {
        await using var cluster = new LocalCluster().WithTinyDataset(trainCount: 300, testCount: 100);
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("worker");
        var files = Directory.GetFiles(cluster.DatasetPath);
        var digest = await cluster.Artifacts.PushDatasetAsync("datasets/tiny-data", "upload", "tiny-data", files);
        await cluster.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = "tiny-data", ManifestDigest = digest });

        var first = await RunAsync(cluster, [], OnAgents);

        Assert.Equal(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED"], States(first));
        Assert.Equal("dataset:tiny-inverted@1", first.Steps[0].Outputs[0].Reference);
        var prepared = await cluster.Datasets.GetDatasetVersionAsync(new GetDatasetVersionRequest { Reference = "tiny-inverted@1" });
        Assert.Equal((600L, 150L), (prepared.TrainCount, prepared.TestCount)); // originals plus inverted copies
        var evaluation = await cluster.Jobs.GetJobAsync(new GetJobRequest { JobId = first.Steps[2].JobId });
        Assert.True(evaluation.Result.Metrics["accuracy"] >= 0.5, evaluation.Result.ToString());
        Assert.Equal(150, evaluation.Result.Metrics["test_samples"]);
        var report = first.Steps[3].Outputs[0];
        Assert.StartsWith("artifact:pipelines/inverted/report@sha256:", report.Reference, StringComparison.Ordinal);
        Assert.All(first.Steps, s => Assert.NotEmpty(s.JobId));

        var second = await RunAsync(cluster, [], OnAgents);
        Assert.Equal(["CACHED", "CACHED", "CACHED", "CACHED"], States(second));
        Assert.Equal(report, second.Steps[3].Outputs[0]);
    }

    private static async Task<PipelineRun> RunAsync(LocalCluster cluster, Dictionary<string, string> parameters, string yaml = Pipeline)
    {
        var started = await cluster.Pipelines.RunPipelineAsync(new RunPipelineRequest { Yaml = yaml, Parameters = { parameters }, Owner = "tester" });
        PipelineRun? last = null;
        await Eventually.Async(async () =>
        {
            last = await cluster.Pipelines.GetPipelineRunAsync(new GetPipelineRunRequest { Id = started.Id });
            return last.State != PipelineRunState.Running;
        }, TimeSpan.FromSeconds(90), () => $"pipeline run never ended: {last}\n{cluster.Diagnostics()}");
        Assert.True(last!.State == PipelineRunState.Succeeded, $"{last}\n{cluster.Diagnostics()}");
        return last;
    }

    private static string[] States(PipelineRun run) =>
        [.. run.Steps.Select(s => s.State.ToString().ToUpperInvariant())];
}
