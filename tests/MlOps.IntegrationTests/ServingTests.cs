using System.Net.Http.Json;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Net.Client;
using MlOps.Contracts;
using MlOps.Core.Datasets;
using static MlOps.IntegrationTests.FashionInputs;
using MlOps.Contracts.Inference;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>Train → register → the agent loads the version by name → predictions over gRPC and REST.</summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ServingTests
{
    [Fact]
    public async Task RegisteredModel_ServedByAgent_PredictsTheRegisteredAccuracyOverGrpcAndRest()
    {
        await using var cluster = new LocalCluster().WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        var ports = (Grpc: FreePort.Next(), Http: FreePort.Next());
        await cluster.StartAgentAsync("server", ports);
        var submitted = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("served", epochs: 2) });
        var job = await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State is JobState.Succeeded or JobState.Failed, TimeSpan.FromMinutes(2));
        Assert.True(job.Result.ModelVersion == 1, $"{job}\n{cluster.Diagnostics()}");
        var registered = await cluster.Models.GetModelVersionAsync(new GetModelVersionRequest { Model = "served", Version = 1 });

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{ports.Grpc}");
        var inference = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        await inference.RepositoryModelLoadAsync(new RepositoryModelLoadRequest { ModelName = "served" });
        Assert.True((await inference.ModelReadyAsync(new ModelReadyRequest { Name = "served", Version = "1" })).Ready);

        var test = MnistFormat.Load(cluster.DatasetPath).Test;
        var metadata = await inference.ModelMetadataAsync(new ModelMetadataRequest { Name = "served" });
        Assert.Equal("FP32", metadata.Inputs.Single().Datatype);

        var grpcCorrect = 0;
        var restCorrect = 0;
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports.Http}") };
        for (var i = 0; i < test.Count; i++)
        {
            var pixels = Normalized(test, i);
            var request = new ModelInferRequest { ModelName = "served", ModelVersion = "1" };
            request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 1, 1, test.Height, test.Width } });
            var raw = new byte[pixels.Length * sizeof(float)];
            Buffer.BlockCopy(pixels, 0, raw, 0, raw.Length);
            request.RawInputContents.Add(ByteString.CopyFrom(raw));
            var response = await inference.ModelInferAsync(request);
            var scores = new float[response.RawOutputContents[0].Length / sizeof(float)];
            Buffer.BlockCopy(response.RawOutputContents[0].ToByteArray(), 0, scores, 0, response.RawOutputContents[0].Length);
            grpcCorrect += ArgMax(scores) == test.Labels[i] ? 1 : 0;

            if (i % 4 == 0)
            {
                var body = new { inputs = new[] { new { name = "input", datatype = "FP32", shape = new[] { 1, 1, test.Height, test.Width }, data = pixels } } };
                using var rest = await http.PostAsJsonAsync("/v2/models/served/versions/1/infer", body);
                rest.EnsureSuccessStatusCode();
                using var json = JsonDocument.Parse(await rest.Content.ReadAsStringAsync());
                var restScores = json.RootElement.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
                Assert.Equal(ArgMax(scores), ArgMax(restScores));
                restCorrect++;
            }
        }

        Assert.Equal(registered.Metrics["test_accuracy"], (double)grpcCorrect / test.Count);
        Assert.True(restCorrect > 0);

        var bad = new ModelInferRequest { ModelName = "served" };
        bad.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 1, 1, 5, 5 } });
        bad.RawInputContents.Add(ByteString.CopyFrom(new byte[100]));
        var error = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await inference.ModelInferAsync(bad));
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("input", error.Status.Detail);
    }
}
