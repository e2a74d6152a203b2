using System.Net;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol;
using MlOps.Contracts.Inference;
using MlOps.Testing;

namespace MlOps.Serving.Tests.Protocol.Support;

/// <summary>
/// The protocol layer in a real Kestrel host on loopback: one HTTP/2 port for gRPC (h2c) and one HTTP/1.1 port for
/// REST, with a real <see cref="GrpcChannel"/> and <see cref="HttpClient"/>. Errors the server logs are recorded
/// so a test can assert none was unexpected.
/// </summary>
internal sealed class OpenInferenceTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OpenInferenceTestServer(WebApplication app, int grpcPort, int restPort, ErrorLogForTests errors)
    {
        _app = app;
        Errors = errors;
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}", new GrpcChannelOptions
        {
            // Like tritonclient: no client-side limit, so the server's limit is what a test meets.
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
        });
        Client = new GRPCInferenceService.GRPCInferenceServiceClient(Channel);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{restPort}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public GrpcChannel Channel { get; }

    public GRPCInferenceService.GRPCInferenceServiceClient Client { get; }

    public HttpClient Http { get; }

    public ErrorLogForTests Errors { get; }

    public static async Task<OpenInferenceTestServer> StartAsync(IModelRepository repository, Action<OpenInferenceOptions>? configure = null)
    {
        var grpcPort = FreePort.Next();
        var restPort = FreePort.Next();
        var errors = new ErrorLogForTests();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddProvider(errors).SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, grpcPort, l => l.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, restPort, l => l.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddSingleton(repository);
        builder.Services.AddOpenInference(configure);
        var app = builder.Build();
        app.MapOpenInference();
        await app.StartAsync();
        return new OpenInferenceTestServer(app, grpcPort, restPort, errors);
    }

    /// <summary>A server over <see cref="EchoModelForTests"/> "echo" versions 1 and 2 and a few other doubles.</summary>
    public static Task<OpenInferenceTestServer> StartWithEchoAsync(Action<OpenInferenceOptions>? configure = null) =>
        StartAsync(StandardRepository(), configure);

    public static InMemoryRepositoryForTests StandardRepository() => new InMemoryRepositoryForTests()
        .Add(new EchoModelForTests("echo", "1"))
        .Add(new EchoModelForTests("echo", "2"))
        .Add(new EchoModelForTests("warming", "1") { IsReady = false })
        .Add(new EchoModelForTests("parked", "1"), loaded: false)
        .Add(new ThrowingModelForTests("busy", new InferenceException(InferenceErrorKind.ResourceExhausted, "queue of model 'busy' is full")))
        .Add(new ThrowingModelForTests("broken", new InvalidOperationException("onnxruntime exploded")))
        .Add(new ThrowingModelForTests("failing", new InferenceException(InferenceErrorKind.Internal, "model 'failing' failed to run")));

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
