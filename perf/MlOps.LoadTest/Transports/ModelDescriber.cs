using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Client.Inference.Inputs;
using MlOps.Contracts.Inference;
using MlOps.LoadTest.Payloads;
using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Transports;

/// <summary>Asks the server under test for a model's inputs and normalisation, over the scenario's own transport.</summary>
public static class ModelDescriber
{
    /// <exception cref="LoadTestException">The server is unreachable or does not serve the model.</exception>
    public static async Task<ModelDescription> DescribeAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        try
        {
            return scenario.Transport == TransportKind.Grpc
                ? await DescribeGrpcAsync(scenario, cancellationToken).ConfigureAwait(false)
                : await DescribeRestAsync(scenario, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException ex)
        {
            throw new LoadTestException($"{scenario.Target}: model '{scenario.Model}' could not be described: {ex.Status.StatusCode} {ex.Status.Detail}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new LoadTestException($"{scenario.Target}: model '{scenario.Model}' could not be described: {ex.Message}", ex);
        }
    }

    private static async Task<ModelDescription> DescribeGrpcAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(scenario.Target, new GrpcChannelOptions
        {
            HttpHandler = scenario.Security.CreateHandler(new SocketsHttpHandler()),
            DisposeHttpClient = true,
        });
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var metadata = await client.ModelMetadataAsync(
            new ModelMetadataRequest { Name = scenario.Model, Version = scenario.Version ?? string.Empty },
            deadline: deadline, cancellationToken: cancellationToken);
        var config = await client.ModelConfigAsync(
            new ModelConfigRequest { Name = scenario.Model, Version = scenario.Version ?? string.Empty },
            deadline: deadline, cancellationToken: cancellationToken);
        string? Parameter(string key) =>
            config.Config?.Parameters.TryGetValue(key, out var value) == true ? value.StringValue : null;
        return new ModelDescription(metadata, ImagePreprocessing.FromModelParameters(Parameter));
    }

    private static async Task<ModelDescription> DescribeRestAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(scenario.Security.CreateHandler(new SocketsHttpHandler())) { Timeout = TimeSpan.FromSeconds(30) };
        var modelUri = RestLoadTransport.InferUri(scenario.Target, scenario.Model, scenario.Version);
        var baseUri = modelUri.AbsoluteUri[..^"/infer".Length];
        var metadataJson = await ReadOkAsync(http, new Uri(baseUri), cancellationToken).ConfigureAwait(false);
        var metadata = new JsonParser(JsonParser.Settings.Default.WithIgnoreUnknownFields(true)).Parse<ModelMetadataResponse>(metadataJson);
        var configJson = await ReadOkAsync(http, new Uri(baseUri + "/config"), cancellationToken).ConfigureAwait(false);
        using var config = JsonDocument.Parse(configJson);
        string? Parameter(string key) =>
            config.RootElement.TryGetProperty("parameters", out var parameters) &&
            parameters.ValueKind == JsonValueKind.Object &&
            parameters.TryGetProperty(key, out var parameter) &&
            parameter.TryGetProperty("string_value", out var value)
                ? value.GetString()
                : null;
        return new ModelDescription(metadata, ImagePreprocessing.FromModelParameters(Parameter));
    }

    private static async Task<string> ReadOkAsync(HttpClient http, Uri uri, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(uri, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {uri} answered {(int)response.StatusCode}: {body}");
        }

        return body;
    }
}
