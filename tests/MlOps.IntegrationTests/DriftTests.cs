using MlOps.Client.Inference;
using MlOps.Contracts;
using MlOps.Core.Datasets;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>
/// Drift monitoring end to end with real processes: a trained model carries its reference profile, the serving agent
/// profiles a sample of live requests and reports windows, and the coordinator's monitor tells held-out data like the
/// training data (no drift) from the same images made brighter (drift).
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class DriftTests
{
    [Fact]
    public async Task Monitor_UnshiftedThenBrighterInputs_NoDriftThenDrift()
    {
        await using var cluster = new LocalCluster().WithTinyDataset(trainCount: 1500, testCount: 1000);
        cluster.CoordinatorArguments.AddRange(["--Monitoring:EvaluationWindow=00:00:10", "--Monitoring:MmdPermutations=200"]);
        // Windows every second; no rate cap, so the test's bursts of requests fill an evaluation window quickly (the cap
        // itself is covered by LiveProfilerTests).
        cluster.AgentArguments.AddRange(["--Agent:Serving:ProfileWindow=00:00:01", "--Agent:Serving:Host:ProfileMaxPerSecond=0"]);
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("server", (FreePort.Next(), FreePort.Next()));
        await DeploymentTests.TrainAsync(cluster, seed: 5);
        await cluster.Deployments.DeployAsync(new DeployRequest { Spec = new DeploymentSpec { Model = DeploymentTests.Model } });
        await DeploymentTests.WaitAvailableAsync(cluster, DeploymentTests.Model, revision: 1);
        var test = MnistFormat.Load(cluster.DatasetPath).Test;
        using var client = new InferenceClient(cluster.Channel);
        var monitoring = new MonitoringService.MonitoringServiceClient(cluster.Channel);

        // Held-out images as they are: the monitor settles on no drift.
        var settled = await SendUntilAsync(client, monitoring, test, brightness: 0f, v => v.Verdict == "NO_DRIFT" && v.Profiled >= 200, cluster);
        Assert.False(settled.ImageDrifted);
        Assert.NotEmpty(settled.ReferenceDigest);

        // The same images, brighter: drift — at first from the merged window's mix of old and new requests, then, once
        // the unshifted windows have left the evaluation window, with the mean intensity itself among the drifted features.
        var drifted = await SendUntilAsync(client, monitoring, test, brightness: 1.0f,
            v => v.Verdict == "DRIFT" && v.Features.Any(f => f.Name == "mean" && f.Drifted), cluster);
        Assert.True(drifted.Features.Single(f => f.Name == "mean").LiveMean > drifted.Features.Single(f => f.Name == "mean").ReferenceMean);
        Assert.True(drifted.DriftEvaluations >= 1);
    }

    private static async Task<VersionMonitor> SendUntilAsync(InferenceClient client, MonitoringService.MonitoringServiceClient monitoring,
        ImageSplit test, float brightness, Func<VersionMonitor, bool> reached, LocalCluster cluster)
    {
        VersionMonitor? last = null;
        var random = new Random(7);
        await Eventually.Async(async () =>
        {
            // Images drawn at random from the held-out split: a window must look like the split as a whole (in file order
            // the classes come in runs, and a window would rightly see a shifted class mix).
            for (var i = 0; i < 200; i++)
            {
                var pixels = FashionInputs.Normalized(test, random.Next(test.Count));
                for (var p = 0; p < pixels.Length; p++)
                {
                    pixels[p] += brightness;
                }

                await client.PredictAsync(FashionInputs.Request(DeploymentTests.Model, pixels, test));
            }

            last = (await monitoring.GetModelMonitorAsync(new GetModelMonitorRequest { Model = DeploymentTests.Model })).Versions.FirstOrDefault();
            return last is not null && reached(last);
        }, TimeSpan.FromSeconds(120), () => $"the monitor never got there; last: {last}\n{cluster.Diagnostics()}");
        return last!;
    }
}
