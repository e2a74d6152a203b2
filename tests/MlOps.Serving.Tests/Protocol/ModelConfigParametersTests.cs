using System.Text.Json;
using MlOps.Contracts.Inference;
using MlOps.Serving.Hosting.Repository;
using MlOps.Serving.Tests.Hosting.Support;
using MlOps.Serving.Tests.Protocol.Support;
using MlOps.Testing;

namespace MlOps.Serving.Tests.Protocol;

/// <summary>The model config of a real exported model: its <c>metadata_props</c> as Triton config parameters.</summary>
public sealed class ModelConfigParametersTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("serving-config");
    private readonly ModelRepository _repository = new();
    private OpenInferenceTestServer _server = null!;

    public async Task InitializeAsync()
    {
        var metadata = new Dictionary<string, string> { ["mlops.input_mean"] = "0.2860", ["mlops.input_std"] = "0.3530" };
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp(), "fashion-mlp", metadata: metadata), _directory.Combine("mlp.onnx"));
        await _repository.LoadVersionAsync("fashion-mlp", "3", path, digest);
        _server = await OpenInferenceTestServer.StartAsync(_repository);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _repository.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task GrpcModelConfig_ModelWithMetadataProps_ParametersAsStringValuesSortedByKey()
    {
        var config = (await _server.Client.ModelConfigAsync(new ModelConfigRequest { Name = "fashion-mlp", Version = "3" })).Config;

        Assert.Equal("0.2860", config.Parameters["mlops.input_mean"].StringValue);
        Assert.Equal("0.3530", config.Parameters["mlops.input_std"].StringValue);
        Assert.Equal("fashion-mlp", config.Parameters["mlops.model_name"].StringValue);
        Assert.Equal(config.Parameters.Keys.Order(StringComparer.Ordinal), config.Parameters.Keys);
    }

    [Fact]
    public async Task GrpcModelConfig_ModelWithoutParameters_NoParameters()
    {
        await using var server = await OpenInferenceTestServer.StartWithEchoAsync();

        var config = (await server.Client.ModelConfigAsync(new ModelConfigRequest { Name = "echo", Version = "1" })).Config;

        Assert.Empty(config.Parameters);
    }

    [Fact]
    public async Task RestModelConfig_ModelWithMetadataProps_ParametersAsStringValuesSortedByKey()
    {
        using var document = JsonDocument.Parse(await _server.Http.GetStringAsync("/v2/models/fashion-mlp/versions/3/config"));

        var parameters = document.RootElement.GetProperty("parameters");
        Assert.Equal("0.2860", parameters.GetProperty("mlops.input_mean").GetProperty("string_value").GetString());
        Assert.Equal("0.3530", parameters.GetProperty("mlops.input_std").GetProperty("string_value").GetString());
        Assert.Equal("fashion-mlp", parameters.GetProperty("mlops.model_name").GetProperty("string_value").GetString());
        var keys = parameters.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(keys.Order(StringComparer.Ordinal), keys);
    }

    [Fact]
    public async Task RestModelConfig_ModelWithoutParameters_EmptyParametersObject()
    {
        await using var server = await OpenInferenceTestServer.StartWithEchoAsync();

        using var document = JsonDocument.Parse(await server.Http.GetStringAsync("/v2/models/echo/versions/1/config"));

        var parameters = document.RootElement.GetProperty("parameters");
        Assert.Equal(JsonValueKind.Object, parameters.ValueKind);
        Assert.Empty(parameters.EnumerateObject());
    }
}
