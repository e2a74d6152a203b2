using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Client.Inference;
using MlOps.Contracts;
using MlOps.Contracts.Inference;
using MlOps.Core.Datasets;
using static MlOps.IntegrationTests.FashionInputs;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>
/// Deployments through the coordinator with real agents serving: train → register → deploy → predict, rollouts and
/// rollbacks under load, and a canary split.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class DeploymentTests
{
    internal const string Model = "fashion-tiny";

    [Fact]
    public async Task Deploy_TrainedVersion_PredictionsOverGrpcAndRestMatchTheRegisteredAccuracy()
    {
        await using var cluster = new LocalCluster().WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("server", (FreePort.Next(), FreePort.Next()));
        var registered = await TrainAsync(cluster, seed: 3);

        var deployment = await cluster.Deployments.DeployAsync(new DeployRequest { Spec = new DeploymentSpec { Model = Model } });
        Assert.Equal(1, deployment.Revision);
        Assert.Equal(1, deployment.Spec.Target.Version); // "newest" is pinned at deploy time
        var available = await WaitAvailableAsync(cluster, Model, 1);
        var replica = Assert.Single(available.Replicas);
        Assert.True(replica.Ready);

        using var client = new InferenceClient(cluster.Channel);
        var test = MnistFormat.Load(cluster.DatasetPath).Test;
        using var http = new HttpClient { BaseAddress = new Uri(replica.RestAddress) };
        var grpcCorrect = 0;
        var restCorrect = 0;
        for (var i = 0; i < test.Count; i++)
        {
            var pixels = Normalized(test, i);
            var response = await client.PredictAsync(Request(Model, pixels, test));
            Assert.Equal("1", response.ModelVersion);
            grpcCorrect += ArgMax(Floats(response.RawOutputContents[0])) == test.Labels[i] ? 1 : 0;

            var body = new { inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { 1, 1, test.Height, test.Width }, data = pixels } } };
            using var rest = await http.PostAsJsonAsync($"/v2/models/{Model}/infer", body);
            rest.EnsureSuccessStatusCode();
            using var json = JsonDocument.Parse(await rest.Content.ReadAsStringAsync());
            var scores = json.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            restCorrect += ArgMax(scores) == test.Labels[i] ? 1 : 0;
        }

        Assert.Equal(registered.Metrics["test_accuracy"], (double)grpcCorrect / test.Count, 9);
        Assert.Equal(registered.Metrics["test_accuracy"], (double)restCorrect / test.Count, 9);

        // The agent's Prometheus endpoint counted every one of those requests for this version.
        var metrics = await http.GetStringAsync("/metrics");
        var success = metrics.Split('\n').Single(l => l.StartsWith($"mlops_nv_inference_request_success{{model=\"{Model}\",version=\"1\"}}", StringComparison.Ordinal));
        Assert.Equal(2 * test.Count, long.Parse(success.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task RolloutThenRollback_UnderSteadyLoadOnTwoReplicas_NoRequestLostAndCanarySplitHonoured()
    {
        await using var cluster = new LocalCluster().WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("a", (FreePort.Next(), FreePort.Next()));
        await cluster.StartAgentAsync("b", (FreePort.Next(), FreePort.Next()));
        await TrainAsync(cluster, seed: 3);
        await TrainAsync(cluster, seed: 4);
        await cluster.Deployments.DeployAsync(new DeployRequest
        {
            Spec = new DeploymentSpec { Model = Model, Target = new ModelTarget { Version = 1 }, Replicas = 2 },
        });
        await WaitAvailableAsync(cluster, Model, 1);

        var test = MnistFormat.Load(cluster.DatasetPath).Test;
        using var client = new InferenceClient(cluster.Channel, new InferenceClientOptions { ReplicaRefreshInterval = TimeSpan.FromMilliseconds(200) });
        var versions = new ConcurrentDictionary<string, int>();
        var errors = new ConcurrentQueue<string>();
        var sent = 0;
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            var i = worker;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var response = await client.PredictAsync(Request(Model, Normalized(test, i % test.Count), test));
                    versions.AddOrUpdate(response.ModelVersion, 1, (_, n) => n + 1);
                }
                catch (RpcException ex)
                {
                    errors.Enqueue($"{ex.StatusCode}: {ex.Status.Detail}");
                }

                Interlocked.Increment(ref sent);
                i += 4;
            }
        })).ToList();

        // Rollout to version 2, then roll back to version 1, while the load runs.
        await Eventually.Async(() => Task.FromResult(Volatile.Read(ref sent) > 100), TimeSpan.FromSeconds(30), () => "no load was running");
        var rollout = await cluster.Deployments.DeployAsync(new DeployRequest
        {
            Spec = new DeploymentSpec { Model = Model, Target = new ModelTarget { Version = 2 }, Replicas = 2 },
        });
        await WaitAvailableAsync(cluster, Model, rollout.Revision, version: 2);
        await Eventually.Async(() => Task.FromResult(versions.ContainsKey("2")), TimeSpan.FromSeconds(30), () => "version 2 never answered");
        var rollback = await cluster.Deployments.RollbackAsync(new RollbackRequest { Name = Model });
        Assert.Equal("rollback to revision 1", rollback.History[^1].Cause);
        var back = await WaitAvailableAsync(cluster, Model, rollback.Revision, version: 1);
        var afterRollback = Volatile.Read(ref sent);
        await Eventually.Async(() => Task.FromResult(Volatile.Read(ref sent) > afterRollback + 200), TimeSpan.FromSeconds(30), () => "load stalled");
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.True(errors.IsEmpty, $"{errors.Count} of {sent} requests failed: {string.Join("; ", errors.Take(5))}\n{cluster.Diagnostics()}");
        Assert.True(versions.GetValueOrDefault("1") > 0 && versions.GetValueOrDefault("2") > 0, string.Join(", ", versions));
        Assert.Equal([1], back.Traffic.Select(t => t.Version));

        // Canary: 20 % of 10,000 unversioned requests to version 2, counted by the replicas themselves.
        var before = await SuccessCountsAsync(back);
        await cluster.Deployments.DeployAsync(new DeployRequest
        {
            Spec = new DeploymentSpec
            {
                Model = Model, Target = new ModelTarget { Version = 1 }, Replicas = 2,
                Canary = new CanarySpec { Target = new ModelTarget { Version = 2 }, Percent = 20 },
            },
        });
        var canary = await WaitAvailableAsync(cluster, Model, rollback.Revision + 1, version: 1);
        Assert.Equal([(1, 80), (2, 20)], canary.Traffic.OrderBy(t => t.Version).Select(t => (t.Version, t.Percent)));
        var counted = new ConcurrentDictionary<string, int>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < 10_000)
            {
                var response = await client.PredictAsync(Request(Model, Normalized(test, i % test.Count), test));
                counted.AddOrUpdate(response.ModelVersion, 1, (_, n) => n + 1);
            }
        })));

        var share = counted.GetValueOrDefault("2") / 10_000.0;
        Assert.InRange(share, 0.18, 0.22);
        var after = await SuccessCountsAsync(canary);
        var servedByVersion = after.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key));
        Assert.Equal(counted.GetValueOrDefault("2"), servedByVersion.GetValueOrDefault("2"));
        Assert.Equal(counted.GetValueOrDefault("1"), servedByVersion.GetValueOrDefault("1"));
    }

    [Fact]
    public async Task Deploy_FollowingAnAlias_MovingTheAliasRollsTheDeployment()
    {
        await using var cluster = new LocalCluster().WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("server", (FreePort.Next(), FreePort.Next()));
        await TrainAsync(cluster, seed: 3);
        await TrainAsync(cluster, seed: 4);
        await cluster.Models.SetAliasAsync(new SetAliasRequest { Model = Model, Alias = "production", Version = 1 });
        await cluster.Deployments.DeployAsync(new DeployRequest
        {
            Spec = new DeploymentSpec { Model = Model, Target = new ModelTarget { Alias = "production" } },
        });
        await WaitAvailableAsync(cluster, Model, 1, version: 1);

        await cluster.Models.SetAliasAsync(new SetAliasRequest { Model = Model, Alias = "production", Version = 2 });

        var rolled = await WaitAvailableAsync(cluster, Model, 2, version: 2);
        Assert.Equal("production", rolled.Spec.Target.Alias);
        Assert.StartsWith("alias moved", rolled.History[^1].Cause);
        using var client = new InferenceClient(cluster.Channel);
        var test = MnistFormat.Load(cluster.DatasetPath).Test;
        Assert.Equal("2", (await client.PredictAsync(Request(Model, Normalized(test, 0), test))).ModelVersion);
    }

    [Fact]
    public async Task CoordinatorRestart_AgentKeepsServingAndTheDeploymentComesBackOnTheSameReplica()
    {
        await using var cluster = new LocalCluster().WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("b", (FreePort.Next(), FreePort.Next()));
        await TrainAsync(cluster, seed: 3);
        await cluster.Deployments.DeployAsync(new DeployRequest { Spec = new DeploymentSpec { Model = Model } });
        var before = Assert.Single((await WaitAvailableAsync(cluster, Model, 1)).Replicas);
        Assert.Equal("b", before.AgentId);
        // An idle agent that sorts first: placed afresh after the restart, the replica would move to it.
        await cluster.StartAgentAsync("a", (FreePort.Next(), FreePort.Next()));
        var test = MnistFormat.Load(cluster.DatasetPath).Test;

        await cluster.Coordinator!.StopAsync(TimeSpan.FromSeconds(30));
        using (var direct = GrpcChannel.ForAddress(before.GrpcAddress))
        {
            // The data plane does not need the coordinator.
            var response = await new GRPCInferenceService.GRPCInferenceServiceClient(direct).ModelInferAsync(Request(Model, Normalized(test, 0), test));
            Assert.Equal("1", response.ModelVersion);
        }

        await cluster.RestartCoordinatorAsync();
        var after = Assert.Single((await WaitAvailableAsync(cluster, Model, 1)).Replicas);
        Assert.Equal(before.AgentId, after.AgentId);
    }

    [Fact]
    public async Task Deploy_BadRequests_RefusedNamingTheField()
    {
        await using var cluster = new LocalCluster();
        await cluster.StartCoordinatorAsync();

        var invalid = await Assert.ThrowsAsync<RpcException>(async () => await cluster.Deployments.DeployAsync(new DeployRequest
        {
            Spec = new DeploymentSpec { Model = "Bad Name", Replicas = 500, Canary = new CanarySpec { Percent = 150 } },
        }));
        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Contains("spec.model", invalid.Status.Detail);
        Assert.Contains("spec.replicas", invalid.Status.Detail);
        Assert.Contains("spec.canary.percent", invalid.Status.Detail);

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await cluster.Deployments.DeployAsync(new DeployRequest
        {
            Spec = new DeploymentSpec { Model = "nothing-registered" },
        }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Contains("nothing-registered", missing.Status.Detail);

        var rollback = await Assert.ThrowsAsync<RpcException>(async () => await cluster.Deployments.RollbackAsync(new RollbackRequest { Name = "nope" }));
        Assert.Equal(StatusCode.NotFound, rollback.StatusCode);
    }

    internal static async Task<ModelVersion> TrainAsync(LocalCluster cluster, int seed)
    {
        var spec = Specs.TinyMlp(Model, epochs: 2);
        spec.Seed = seed;
        var submitted = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = spec });
        var job = await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State is JobState.Succeeded or JobState.Failed, TimeSpan.FromMinutes(3));
        Assert.True(job.State == JobState.Succeeded && job.Result.ModelVersion > 0, $"{job}\n{cluster.Diagnostics()}");
        return await cluster.Models.GetModelVersionAsync(new GetModelVersionRequest { Model = Model, Version = job.Result.ModelVersion });
    }

    internal static async Task<Deployment> WaitAvailableAsync(LocalCluster cluster, string name, int revision, int? version = null)
    {
        Deployment? last = null;
        await Eventually.Async(async () =>
        {
            last = await cluster.Deployments.GetDeploymentAsync(new GetDeploymentRequest { Name = name });
            return last.Revision >= revision && last.Phase == DeploymentPhase.Available &&
                   (version is null || last.Traffic.OrderByDescending(t => t.Percent).First().Version == version);
        }, TimeSpan.FromSeconds(90), () => $"deployment never became available: {last}\n{cluster.Diagnostics()}");
        return last!;
    }

    /// <summary>Successful requests per version, summed over the replicas (the protocol's ModelStatistics).</summary>
    private static async Task<Dictionary<string, long>> SuccessCountsAsync(Deployment deployment)
    {
        var counts = new Dictionary<string, long>();
        foreach (var replica in deployment.Replicas)
        {
            using var channel = GrpcChannel.ForAddress(replica.GrpcAddress);
            var statistics = await new GRPCInferenceService.GRPCInferenceServiceClient(channel)
                .ModelStatisticsAsync(new ModelStatisticsRequest { Name = deployment.Spec.Name });
            foreach (var version in statistics.ModelStats)
            {
                counts[version.Version] = counts.GetValueOrDefault(version.Version) + (long)version.InferenceStats.Success.Count;
            }
        }

        return counts;
    }
}
