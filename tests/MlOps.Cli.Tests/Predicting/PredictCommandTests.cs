using System.Buffers.Binary;
using System.Text.Json;
using System.Text.RegularExpressions;
using Grpc.Core;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;
using MlOps.Contracts.Inference;
using MlOps.Testing;
using static MlOps.Cli.Tests.Fakes.DeploymentFixtures;

namespace MlOps.Cli.Tests.Predicting;

/// <summary>
/// <c>mlops predict</c> over real loopback gRPC: the fake coordinator names a fake model server as the
/// deployment's one ready replica.
/// </summary>
public sealed class PredictCommandTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _temp = new("mlops-cli-predict");
    private FakeCoordinatorForCliTests _server = null!;
    private FakeModelServerForCliTests _replica = null!;

    private FakeInferenceServiceForCliTests Model => _replica.Model;

    public async Task InitializeAsync()
    {
        _server = await FakeCoordinatorForCliTests.StartAsync();
        _replica = await FakeModelServerForCliTests.StartAsync();
        _server.Deployments.Set(Deployment("fashion", "fashion", DeploymentPhase.Available, [Route(2, 100)], [Revision(1, "deploy", Route(2, 100))],
            Replica("agent-1", _replica.Address, true, 2)));
    }

    public async Task DisposeAsync()
    {
        await _replica.DisposeAsync();
        await _server.DisposeAsync();
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Predict_InputFile_SendsItsValuesAndPrintsTheTopClasses()
    {
        var input = Write("input.json", """{"inputs": [{"data": [0.5, 0.25, 0, 1]}]}""");

        var result = await Run("predict", "fashion", "--input", input);

        Assert.True(result.ExitCode == 0, result.ToString());
        var request = Assert.Single(Model.Infers);
        Assert.Equal(("fashion", ""), (request.ModelName, request.ModelVersion));
        var tensor = Assert.Single(request.Inputs);
        Assert.Equal(("pixels", "FP32"), (tensor.Name, tensor.Datatype));
        Assert.Equal([1L, 4L], tensor.Shape);
        Assert.Equal([0.5f, 0.25f, 0f, 1f], Floats(Assert.Single(request.RawInputContents).ToByteArray()));

        var lines = result.OutLines;
        Assert.Matches(@"^model fashion version 2 \(\d+\.\d ms\)$", lines[0]);
        Assert.Equal("probabilities: FP32 [1,3]", lines[1]);
        Assert.Matches(@"^ROW\s+CLASS\s+PROBABILITY$", lines[2]);
        Assert.Matches(@"^0\s+1\s+0\.7000$", lines[3]);
        Assert.Matches(@"^0\s+2\s+0\.2000$", lines[4]);
        Assert.Matches(@"^0\s+0\s+0\.1000$", lines[5]);
    }

    [Fact]
    public async Task Predict_Top_LimitsTheClassesShown()
    {
        var input = Write("input.json", "[0.5, 0.25, 0, 1]");

        var result = await Run("predict", "fashion", "--input", input, "--top", "1");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(4, result.OutLines.Length);
        Assert.Matches(@"^0\s+1\s+0\.7000$", result.OutLines[3]);
    }

    [Fact]
    public async Task Predict_JsonOutput_PrintsTheOutputsAsJson()
    {
        var input = Write("input.json", "[0.5, 0.25, 0, 1]");

        var result = await Run("predict", "fashion", "--input", input, "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        Assert.Equal("fashion", json.RootElement.GetProperty("model_name").GetString());
        Assert.Equal("2", json.RootElement.GetProperty("model_version").GetString());
        var output = Assert.Single(json.RootElement.GetProperty("outputs").EnumerateArray().ToList());
        Assert.Equal("probabilities", output.GetProperty("name").GetString());
        Assert.Equal("FP32", output.GetProperty("datatype").GetString());
        Assert.Equal([1, 3], output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()));
        var data = output.GetProperty("data").EnumerateArray().Select(d => d.GetDouble()).ToArray();
        Assert.Equal([0.1, 0.7, 0.2], data, (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public async Task Predict_PinnedVersion_AsksTheReplicaForThatVersion()
    {
        var input = Write("input.json", "[0.5, 0.25, 0, 1]");

        var result = await Run("predict", "fashion:2", "--input", input);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("2", Assert.Single(Model.MetadataRequests).Version);
        Assert.Equal("2", Assert.Single(Model.Infers).ModelVersion);
    }

    [Fact]
    public async Task Predict_PinnedVersionTheDeploymentDoesNotServe_ExitsThreeWithoutCallingAReplica()
    {
        var input = Write("input.json", "[0.5, 0.25, 0, 1]");

        var result = await Run("predict", "fashion:7", "--input", input);

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("version 7: deployment 'fashion' does not serve it", result.Error, StringComparison.Ordinal);
        Assert.Empty(Model.Infers);
    }

    [Fact]
    public async Task Predict_AliasTheDeploymentServes_PinsItsVersion()
    {
        _server.Models.Add("fashion", 2, RegistryFixtures.OnnxDigest, RegistryFixtures.Lineage()).Aliases.Add("production");
        var input = Write("input.json", "[0.5, 0.25, 0, 1]");

        var result = await Run("predict", "fashion@production", "--input", input);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("2", Assert.Single(Model.Infers).ModelVersion);
    }

    [Fact]
    public async Task Predict_AliasTheDeploymentDoesNotServe_ExitsThreeSayingHowToRollItOut()
    {
        _server.Models.Add("fashion", 2, RegistryFixtures.OnnxDigest, RegistryFixtures.Lineage());
        _server.Models.Add("fashion", 3, RegistryFixtures.OnnxDigest, RegistryFixtures.Lineage()).Aliases.Add("production");
        var input = Write("input.json", "[0.5, 0.25, 0, 1]");

        var result = await Run("predict", "fashion@production", "--input", input);

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("fashion@production is version 3", result.Error, StringComparison.Ordinal);
        Assert.Contains("mlops deploy fashion@production --name fashion", result.Error, StringComparison.Ordinal);
        Assert.Empty(Model.Infers);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Predict_InputAndImageBothOrNeither_ExitsTwo(bool both)
    {
        string[] inputs = both ? ["--input", Write("input.json", "[0]"), "--image", Write("image.png", "x")] : [];

        var result = await Run(["predict", "fashion", .. inputs]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("give exactly one of --input FILE.json or --image FILE.png", result.Error, StringComparison.Ordinal);
        Assert.Empty(Model.MetadataRequests);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task Predict_Image_SendsTheModelsShapeNormalisedWithItsMeanAndStd(bool normalised, bool invert)
    {
        // 6 wide, 4 high, so a transposed image would not fit the [C, H, W] input the same way.
        const int width = 6, height = 4;
        const float mean = 0.286f, std = 0.353f;
        Model.Metadata = FakeInferenceServiceForCliTests.FashionMetadata("image", -1, 1, height, width);
        if (normalised)
        {
            Model.Config.Config.Parameters["mlops.input_mean"] = new ModelParameter { StringValue = "0.286" };
            Model.Config.Config.Parameters["mlops.input_std"] = new ModelParameter { StringValue = "0.353" };
        }

        var pixels = Enumerable.Range(0, width * height).Select(i => (byte)(i * 11)).ToArray();
        var image = Write("shirt.png", PngWriter.Gray(width, height, pixels));

        var result = await Run(["predict", "fashion", "--image", image, .. invert ? new[] { "--invert" } : []]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(("fashion", ""), (Assert.Single(Model.ConfigRequests).Name, Model.ConfigRequests.Single().Version));
        var request = Assert.Single(Model.Infers);
        var tensor = Assert.Single(request.Inputs);
        Assert.Equal(("image", "FP32"), (tensor.Name, tensor.Datatype));
        Assert.Equal([1L, 1L, height, width], tensor.Shape);
        var expected = pixels.Select(p =>
        {
            var x = p / 255f;
            x = invert ? 1 - x : x;
            return normalised ? (x - mean) / std : x;
        }).ToArray();
        Assert.Equal(expected, Floats(Assert.Single(request.RawInputContents).ToByteArray()), (a, b) => Math.Abs(a - b) < 1e-5f);
    }

    [Fact]
    public async Task Predict_ReplicaRejectsTheInput_ExitsTwoWithItsMessage()
    {
        Model.InferFailure = new Status(StatusCode.InvalidArgument, "input 'pixels': expected 4 values, got 3");
        var input = Write("input.json", "[0.5, 0.25, 0, 1]");

        var result = await Run("predict", "fashion", "--input", input);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("input 'pixels': expected 4 values, got 3", result.Error, StringComparison.Ordinal);
        Assert.Single(Model.Infers);
    }

    [Fact]
    public async Task Predict_NoReadyReplica_ExitsFourNamingThePhase()
    {
        var deployment = Deployment("fashion", "fashion", DeploymentPhase.Progressing, [], [Revision(1, "deploy", Route(2, 100))],
            Replica("agent-1", _replica.Address, false));
        deployment.Message = "agent-1 loading v2";
        _server.Deployments.Set(deployment);
        var input = Write("input.json", "[0.5, 0.25, 0, 1]");

        var result = await Run("predict", "fashion", "--input", input);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains("no ready replica", result.Error, StringComparison.Ordinal);
        Assert.Contains("agent-1 loading v2", result.Error, StringComparison.Ordinal);
        Assert.Empty(Model.MetadataRequests);
    }

    [Fact]
    public async Task Predict_UnknownDeployment_ExitsThree()
    {
        var input = Write("input.json", "[0.5, 0.25, 0, 1]");

        var result = await Run("predict", "nope", "--input", input);

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("deployment nope not found", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_MissingInputFile_ExitsThree()
    {
        var result = await Run("predict", "fashion", "--input", _temp.Combine("missing.json"));

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("no such file", result.Error, StringComparison.Ordinal);
        Assert.Empty(Model.Infers);
    }

    [Theory]
    [InlineData("{", "not valid JSON")]
    [InlineData("[1, 2, 3]", "3 values do not fill the model's shape [-1,4]")]
    public async Task Predict_UnusableInputFile_ExitsTwoNamingTheFile(string content, string message)
    {
        var input = Write("input.json", content);

        var result = await Run("predict", "fashion", "--input", input);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.True(Regex.IsMatch(result.Error, $"^error: {Regex.Escape(input)}: .*{Regex.Escape(message)}"), result.ToString());
        Assert.Empty(Model.Infers);
    }

    [Fact]
    public async Task Predict_ImageNotAPng_ExitsTwo()
    {
        var image = Write("photo.png", "GIF89a");

        var result = await Run("predict", "fashion", "--image", image);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("not a usable PNG", result.Error, StringComparison.Ordinal);
        Assert.Empty(Model.Infers);
    }

    private static float[] Floats(byte[] bytes) =>
        Enumerable.Range(0, bytes.Length / sizeof(float)).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * sizeof(float)))).ToArray();

    private string Write(string name, string content) => Write(name, System.Text.Encoding.UTF8.GetBytes(content));

    private string Write(string name, byte[] content)
    {
        var path = _temp.Combine(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private Task<CliResult> Run(params string[] args) => CliRun.RunAsync([.. args, "--coordinator", _server.Address]);
}
