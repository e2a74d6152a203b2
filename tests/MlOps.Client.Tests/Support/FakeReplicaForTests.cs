using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using MlOps.Contracts.Inference;
using MlOps.Testing;

namespace MlOps.Client.Tests.Support;

/// <summary>
/// TEST DOUBLE of one agent's Open Inference Protocol endpoint on a loopback port: answers every call with its
/// <see cref="Name"/> (in the response id) or, while <see cref="Failure"/> is set, with that status; counts calls.
/// </summary>
internal sealed class FakeReplicaForTests : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly FakeInferenceServiceForTests _service;

    private FakeReplicaForTests(WebApplication app, string address, FakeInferenceServiceForTests service)
    {
        _app = app;
        _service = service;
        Address = address;
    }

    public string Name => _service.Name;

    /// <summary><c>http://127.0.0.1:PORT</c>, as an agent advertises its gRPC endpoint.</summary>
    public string Address { get; }

    /// <summary>The status every call fails with; null answers normally.</summary>
    public Status? Failure
    {
        get => _service.Failure;
        set => _service.Failure = value;
    }

    /// <summary>Calls of any method so far, failed ones included.</summary>
    public int Calls => _service.Calls;

    public ConcurrentQueue<ModelMetadataRequest> MetadataRequests => _service.MetadataRequests;

    /// <summary>The <c>authorization</c> header of every call ("" when there was none).</summary>
    public ConcurrentQueue<string> Authorizations => _service.Authorizations;

    public static async Task<FakeReplicaForTests> StartAsync(string name)
    {
        var service = new FakeInferenceServiceForTests(name);
        var (app, address) = await LoopbackGrpcHost.StartAsync(service);
        return new FakeReplicaForTests(app, address, service);
    }

    public ValueTask DisposeAsync() => LoopbackGrpcHost.StopAsync(_app);
}

/// <summary>TEST DOUBLE of GRPCInferenceService behind <see cref="FakeReplicaForTests"/>.</summary>
internal sealed class FakeInferenceServiceForTests(string name) : GRPCInferenceService.GRPCInferenceServiceBase
{
    private int _calls;

    public string Name { get; } = name;

    /// <summary>Set by the test between calls (the gRPC call itself orders the write before the read).</summary>
    public Status? Failure { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public ConcurrentQueue<ModelMetadataRequest> MetadataRequests { get; } = new();

    public ConcurrentQueue<string> Authorizations { get; } = new();

    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        Answer(context);
        return Task.FromResult(new ModelInferResponse { ModelName = request.ModelName, ModelVersion = request.ModelVersion, Id = Name });
    }

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        MetadataRequests.Enqueue(request);
        Answer(context);
        return Task.FromResult(new ModelMetadataResponse { Name = request.Name, Platform = Name });
    }

    private void Answer(ServerCallContext context)
    {
        Authorizations.Enqueue(context.RequestHeaders.GetValue("authorization") ?? "");
        Interlocked.Increment(ref _calls);
        if (Failure is { } failure)
        {
            throw new RpcException(failure);
        }
    }
}
