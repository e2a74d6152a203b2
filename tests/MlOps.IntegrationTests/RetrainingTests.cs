using System.Net.Http.Json;
using Grpc.Core;
using MlOps.Artifacts.Datasets;
using MlOps.Client.Inference;
using MlOps.Contracts;
using MlOps.Core.Datasets;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>
/// The retraining loop end to end with real processes (issue #7): a served model sees shifted inputs, the coordinator
/// detects the drift, retrains on the newest dataset version (which includes shifted data), compares the candidate with
/// production on the held-out split, canaries it and promotes it; and a worse candidate is rejected with its evidence,
/// leaving production untouched.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RetrainingTests
{
    private const string Model = "retrain-tiny";
    private const string Dataset = "tiny-data";

    [Fact]
    public async Task Loop_DriftOnInvertedInputs_RetrainsCanariesAndPromotesTheBetterCandidate()
    {
        await using var cluster = await StartAsync();
        await PushDatasetAsync(cluster, cluster.DatasetPath);
        var production = await TrainAndDeployAsync(cluster);

        // Version 2 of the dataset: the original training images plus the same images inverted, and an inverted test split
        // (what production now sees).
        var shifted = Path.Combine(cluster.RootPath, "shifted");
        WriteShifted(cluster.DatasetPath, shifted);
        var second = await PushDatasetAsync(cluster, shifted);
        Assert.Equal(2, second.Version);

        await cluster.Retraining.SetPolicyAsync(new SetRetrainingPolicyRequest
        {
            Policy = new RetrainingPolicy
            {
                Model = Model,
                Triggers = new RetrainingTriggers { OnDrift = true },
                CanaryPercent = 50,
                CanaryDuration = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(3)),
            },
        });

        // Inverted requests until the run ends: they drive the drift, then the canary's share.
        var test = MnistFormat.Load(shifted).Test;
        using var stop = new CancellationTokenSource();
        var load = SendAsync(cluster, test, stop.Token);
        var run = await WaitForRunAsync(cluster, r => r.State is not (RetrainingRunState.Training or RetrainingRunState.Canary), TimeSpan.FromMinutes(4));
        await stop.CancelAsync();
        var served = await load;

        Assert.True(run.State == RetrainingRunState.Promoted, $"run ended {run.State}: {run}\n{cluster.Diagnostics()}");
        Assert.Equal("drift", run.Trigger);
        Assert.Equal(production.Version, run.ProductionVersion);
        Assert.Equal($"{Dataset}@2", run.Dataset);
        Assert.True(run.Evaluation.Better);
        Assert.True(run.Evaluation.CandidateAccuracy > run.Evaluation.ProductionAccuracy + 0.2, run.Evaluation.ToString());
        Assert.Equal(test.Count, run.Evaluation.Samples);
        Assert.True(run.Evaluation.PValue < 0.01, run.Evaluation.ToString());
        Assert.Equal(["trigger", "submit", "evaluate", "canary", "canary", "promote"], run.Decisions.Select(d => d.Step));
        Assert.Contains("drifted", run.Decisions[0].Message);
        Assert.True(served > 0);

        // The candidate serves all traffic, the alias moved, and the candidate's lineage names the new data.
        var deployment = await DeploymentTests.WaitAvailableAsync(cluster, Model, revision: 3, version: run.CandidateVersion);
        Assert.Null(deployment.Spec.Canary);
        Assert.Equal([run.CandidateVersion], deployment.Traffic.Select(t => t.Version));
        var alias = await cluster.Models.GetModelVersionAsync(new GetModelVersionRequest { Model = Model, Alias = "production" });
        Assert.Equal(run.CandidateVersion, alias.Version);
        Assert.Equal("2", alias.Lineage.DatasetVersion);
        Assert.Contains(deployment.History, h => h.Traffic.Count == 2 && h.Traffic.Any(t => t.Version == run.CandidateVersion && t.Percent == 50));
    }

    [Fact]
    public async Task Trigger_WorseCandidate_RejectedWithEvidenceAndProductionUntouched()
    {
        await using var cluster = await StartAsync();
        await PushDatasetAsync(cluster, cluster.DatasetPath);
        var production = await TrainAndDeployAsync(cluster);
        var before = await cluster.Deployments.GetDeploymentAsync(new GetDeploymentRequest { Name = Model });

        // A learning rate far too small for one epoch: the candidate barely moves from its random start.
        await cluster.Retraining.SetPolicyAsync(new SetRetrainingPolicyRequest
        {
            Policy = new RetrainingPolicy
            {
                Model = Model,
                HyperParameters = new HyperParameters { LearningRate = 1e-7, Epochs = 1 },
            },
        });
        var started = await cluster.Retraining.TriggerRetrainingAsync(new TriggerRetrainingRequest { Model = Model, Reason = "test" });
        Assert.Equal("manual", started.Trigger);
        var again = await Assert.ThrowsAsync<RpcException>(async () =>
            await cluster.Retraining.TriggerRetrainingAsync(new TriggerRetrainingRequest { Model = Model }));
        Assert.Equal(StatusCode.FailedPrecondition, again.StatusCode);
        // A run follows the policy it started under: deleting the policy does not strand it.
        await cluster.Retraining.DeletePolicyAsync(new DeleteRetrainingPolicyRequest { Model = Model });

        var run = await WaitForRunAsync(cluster, r => r.Id == started.Id && r.State != RetrainingRunState.Training, TimeSpan.FromMinutes(3));

        Assert.True(run.State == RetrainingRunState.Rejected, $"run ended {run.State}: {run}\n{cluster.Diagnostics()}");
        Assert.Equal(1e-7, run.Policy.HyperParameters.LearningRate);
        Assert.False(run.Evaluation.Better);
        Assert.True(run.Evaluation.CandidateAccuracy < run.Evaluation.ProductionAccuracy, run.Evaluation.ToString());
        var evaluate = Assert.Single(run.Decisions, d => d.Step == "evaluate");
        Assert.Contains("not better", evaluate.Message);
        Assert.Equal(run.Evaluation.CandidateAccuracy, double.Parse(evaluate.Evidence["candidate_accuracy"], System.Globalization.CultureInfo.InvariantCulture), 5);
        Assert.Equal(run.Evaluation.ProductionAccuracy, double.Parse(evaluate.Evidence["production_accuracy"], System.Globalization.CultureInfo.InvariantCulture), 5);
        Assert.Equal("reject", run.Decisions[^1].Step);
        Assert.DoesNotContain(run.Decisions, d => d.Step == "canary");

        // The candidate is registered (its lineage is on record) but production was never touched.
        Assert.True(run.CandidateVersion > production.Version);
        var after = await cluster.Deployments.GetDeploymentAsync(new GetDeploymentRequest { Name = Model });
        Assert.Equal(before.Revision, after.Revision);
        Assert.Null(after.Spec.Canary);
        Assert.Equal([production.Version], after.Traffic.Select(t => t.Version));
        var alias = await cluster.Models.GetModelVersionAsync(new GetModelVersionRequest { Model = Model, Alias = "production" });
        Assert.Equal(production.Version, alias.Version);
    }

    [Fact]
    public async Task Run_CoordinatorRestartedWhileTraining_FinishedByTheNewProcessFromTheStoredStep()
    {
        await using var cluster = await StartAsync();
        await PushDatasetAsync(cluster, cluster.DatasetPath);
        await TrainAndDeployAsync(cluster);
        await cluster.Retraining.SetPolicyAsync(new SetRetrainingPolicyRequest
        {
            Policy = new RetrainingPolicy { Model = Model, HyperParameters = new HyperParameters { LearningRate = 1e-7, Epochs = 1 } },
        });
        // No agent while the run starts, so its job is still queued when the coordinator goes down.
        await cluster.Agent("server").StopAsync(TimeSpan.FromSeconds(30));
        var started = await cluster.Retraining.TriggerRetrainingAsync(new TriggerRetrainingRequest { Model = Model });

        await cluster.RestartCoordinatorAsync();
        var before = await cluster.Retraining.GetRunAsync(new GetRetrainingRunRequest { Id = started.Id });
        Assert.Equal(RetrainingRunState.Training, before.State);
        await cluster.StartAgentAsync("worker");
        var run = await WaitForRunAsync(cluster, r => r.Id == started.Id && r.State != RetrainingRunState.Training, TimeSpan.FromMinutes(3));

        Assert.True(run.State == RetrainingRunState.Rejected, $"run ended {run.State}: {run}\n{cluster.Diagnostics()}");
        Assert.Equal(started.JobId, run.JobId);
        Assert.Equal(["trigger", "submit", "evaluate", "reject"], run.Decisions.Select(d => d.Step));
        var jobs = await cluster.Jobs.ListJobsAsync(new ListJobsRequest());
        Assert.Equal(2, jobs.Jobs.Count); // production's and the one retraining job: none submitted twice
    }

    [Fact]
    public async Task Canary_WorseOnGroundTruthLabels_RolledBackWithTheLiveAccuracyAsEvidence()
    {
        await using var cluster = await StartAsync("--Monitoring:MinLabels=20");
        await PushDatasetAsync(cluster, cluster.DatasetPath);
        var production = await TrainAndDeployAsync(cluster);
        var shifted = Path.Combine(cluster.RootPath, "shifted");
        WriteShifted(cluster.DatasetPath, shifted);
        await PushDatasetAsync(cluster, shifted);
        await cluster.Retraining.SetPolicyAsync(new SetRetrainingPolicyRequest
        {
            Policy = new RetrainingPolicy
            {
                Model = Model,
                CanaryPercent = 50,
                CanaryDuration = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(8)),
            },
        });

        // The candidate wins offline (it was trained on the inverted images too); then the ground truth that comes back
        // from the field disagrees with every answer it gives, while production's answers are confirmed.
        var started = await cluster.Retraining.TriggerRetrainingAsync(new TriggerRetrainingRequest { Model = Model, Reason = "rehearsal" });
        await WaitForRunAsync(cluster, r => r.Id == started.Id && r.State != RetrainingRunState.Training, TimeSpan.FromMinutes(3));
        using var stop = new CancellationTokenSource();
        var feedback = SendWithFeedbackAsync(cluster, production.Version, stop.Token);
        var run = await WaitForRunAsync(cluster, r => r.Id == started.Id && r.State is not (RetrainingRunState.Training or RetrainingRunState.Canary),
            TimeSpan.FromMinutes(2));
        await stop.CancelAsync();
        var (labelled, toCandidate) = await feedback;

        Assert.True(run.State == RetrainingRunState.RolledBack, $"run ended {run.State}: {run}\n{cluster.Diagnostics()}");
        Assert.True(run.Evaluation.Better);
        var rollback = run.Decisions[^1];
        Assert.Equal("rollback", rollback.Step);
        Assert.Equal("0", rollback.Evidence["candidate_live_accuracy"]);
        Assert.Equal("1", rollback.Evidence["production_live_accuracy"]);
        Assert.True(labelled > 40 && toCandidate > 0, $"{labelled} labelled, {toCandidate} served by the candidate");

        var deployment = await DeploymentTests.WaitAvailableAsync(cluster, Model, revision: 3, version: production.Version);
        Assert.Null(deployment.Spec.Canary);
        Assert.Equal([production.Version], deployment.Traffic.Select(t => t.Version));
        var alias = await cluster.Models.GetModelVersionAsync(new GetModelVersionRequest { Model = Model, Alias = "production" });
        Assert.Equal(production.Version, alias.Version);
    }

    /// <summary>
    /// Sends the original test images with request ids and posts their ground truth to the replica's feedback endpoint:
    /// the true label for what production answered, a wrong one for what any other version answered. Returns how many
    /// labels were sent and how many went to the other version.
    /// </summary>
    private static Task<(int Labelled, int ToCandidate)> SendWithFeedbackAsync(LocalCluster cluster, int productionVersion, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            var test = MnistFormat.Load(cluster.DatasetPath).Test;
            var deployment = await cluster.Deployments.GetDeploymentAsync(new GetDeploymentRequest { Name = Model }, cancellationToken: CancellationToken.None);
            using var http = new HttpClient { BaseAddress = new Uri(deployment.Replicas[0].RestAddress) };
            using var client = new InferenceClient(cluster.Channel);
            var (labelled, toCandidate, n) = (0, 0, 0);
            var batch = new List<object>();
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var index = n % test.Count;
                    var request = FashionInputs.Request(Model, FashionInputs.Normalized(test, index), test);
                    request.Id = $"q{n++}";
                    var response = await client.PredictAsync(request, cancellationToken);
                    var fromProduction = response.ModelVersion == productionVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var predicted = FashionInputs.ArgMax(FashionInputs.Floats(response.RawOutputContents[0]));
                    toCandidate += fromProduction ? 0 : 1;
                    // Production's own answer is the truth (live accuracy 1); the candidate's answer plus one is not (0).
                    var truth = fromProduction ? predicted : (predicted + 1) % 10;
                    batch.Add(new { id = request.Id, label = truth });
                    if (batch.Count == 20)
                    {
                        using var posted = await http.PostAsJsonAsync($"/v2/models/{Model}/feedback", new { labels = batch }, cancellationToken);
                        posted.EnsureSuccessStatusCode();
                        labelled += batch.Count;
                        batch.Clear();
                    }
                }
                catch (Exception) when (cancellationToken.IsCancellationRequested)
                {
                }
            }

            return (labelled, toCandidate);
        }, CancellationToken.None);

    private static async Task<LocalCluster> StartAsync(params string[] coordinatorArguments)
    {
        var cluster = new LocalCluster().WithTinyDataset(trainCount: 1000, testCount: 400);
        cluster.CoordinatorArguments.AddRange(["--Monitoring:EvaluationWindow=00:00:10", "--Monitoring:MmdPermutations=200", "--Retraining:Interval=00:00:01", .. coordinatorArguments]);
        cluster.AgentArguments.AddRange(["--Agent:Serving:ProfileWindow=00:00:01", "--Agent:Serving:Host:ProfileMaxPerSecond=0"]);
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("server", (FreePort.Next(), FreePort.Next()));
        return cluster;
    }

    /// <summary>Trains version 1 on the newest registered dataset version, points <c>production</c> at it and deploys
    /// the alias.</summary>
    private static async Task<ModelVersion> TrainAndDeployAsync(LocalCluster cluster)
    {
        var spec = Specs.TinyMlp(Model, epochs: 3);
        spec.Dataset = new DatasetRef { Name = Dataset };
        var submitted = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = spec });
        var job = await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State is JobState.Succeeded or JobState.Failed, TimeSpan.FromMinutes(3));
        Assert.True(job.State == JobState.Succeeded && job.Result.ModelVersion > 0, $"{job}\n{cluster.Diagnostics()}");
        await cluster.Models.SetAliasAsync(new SetAliasRequest { Model = Model, Alias = "production", Version = job.Result.ModelVersion });
        await cluster.Deployments.DeployAsync(new DeployRequest { Spec = new DeploymentSpec { Model = Model, Target = new ModelTarget { Alias = "production" } } });
        await DeploymentTests.WaitAvailableAsync(cluster, Model, revision: 1);
        return await cluster.Models.GetModelVersionAsync(new GetModelVersionRequest { Model = Model, Version = job.Result.ModelVersion });
    }

    private static async Task<DatasetVersion> PushDatasetAsync(LocalCluster cluster, string directory)
    {
        var digest = await cluster.Artifacts.PushDatasetAsync($"datasets/{Dataset}", "upload", Dataset, Directory.GetFiles(directory));
        return await cluster.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = Dataset, ManifestDigest = digest });
    }

    /// <summary>Train: the original images and their inversions; test: the original test images inverted.</summary>
    private static void WriteShifted(string source, string target)
    {
        var data = MnistFormat.Load(source);
        Directory.CreateDirectory(target);
        var train = data.Train;
        var pixels = new byte[train.Pixels.Length * 2];
        train.Pixels.CopyTo(pixels, 0);
        Invert(train.Pixels).CopyTo(pixels, train.Pixels.Length);
        TinyMnistDataset.WriteIdx(Path.Combine(target, "train-images-idx3-ubyte.gz"), [train.Count * 2, train.Height, train.Width], pixels);
        TinyMnistDataset.WriteIdx(Path.Combine(target, "train-labels-idx1-ubyte.gz"), [train.Count * 2], [.. train.Labels, .. train.Labels]);
        var test = data.Test;
        TinyMnistDataset.WriteIdx(Path.Combine(target, "t10k-images-idx3-ubyte.gz"), [test.Count, test.Height, test.Width], Invert(test.Pixels));
        TinyMnistDataset.WriteIdx(Path.Combine(target, "t10k-labels-idx1-ubyte.gz"), [test.Count], test.Labels);
    }

    private static byte[] Invert(byte[] pixels) => [.. pixels.Select(p => (byte)(255 - p))];

    /// <summary>Sends test images in random order until cancelled; returns how many were answered.</summary>
    private static Task<int> SendAsync(LocalCluster cluster, ImageSplit test, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        using var client = new InferenceClient(cluster.Channel, new InferenceClientOptions { ReplicaRefreshInterval = TimeSpan.FromMilliseconds(500) });
        var random = new Random(11);
        var answered = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await client.PredictAsync(FashionInputs.Request(Model, FashionInputs.Normalized(test, random.Next(test.Count)), test), cancellationToken);
                answered++;
            }
            catch (RpcException) when (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(50, CancellationToken.None);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
            }
        }

        return answered;
    });

    private static async Task<RetrainingRun> WaitForRunAsync(LocalCluster cluster, Func<RetrainingRun, bool> done, TimeSpan timeout)
    {
        RetrainingRun? last = null;
        await Eventually.Async(async () =>
        {
            var runs = await cluster.Retraining.ListRunsAsync(new ListRetrainingRunsRequest { Model = Model });
            last = runs.Runs.FirstOrDefault();
            return last is not null && done(last);
        }, timeout, () => $"the run never got there; last: {last}\n{cluster.Diagnostics()}");
        return last!;
    }
}
