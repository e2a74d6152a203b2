using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using MlOps.Contracts.Inference;
using MlOps.Testing;

namespace MlOps.LoadTest.Tests.Support;

/// <summary>
/// A real gRPC Open Inference server on loopback whose <c>ModelInfer</c> answers at once except during a stall: for
/// the first <c>stall</c> of every <c>period</c> it holds every request until the stall ends, as a server does during
/// a long GC pause or a model swap. Used to show coordinated omission.
/// </summary>
internal sealed class StallingInferenceServer : GRPCInferenceService.GRPCInferenceServiceBase, IAsyncDisposable
{
    private readonly ModelInferResponse _answer = new() { ModelName = "stall", ModelVersion = "1" };
    private readonly long _period;
    private readonly long _stall;
    private readonly long _origin = Stopwatch.GetTimestamp();
    private WebApplication? _app;
    private long _answered;

    private StallingInferenceServer(TimeSpan period, TimeSpan stall)
    {
        _period = (long)(period.TotalSeconds * Stopwatch.Frequency);
        _stall = (long)(stall.TotalSeconds * Stopwatch.Frequency);
        _answer.RawOutputContents.Add(ByteString.CopyFrom(new byte[40]));
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>Requests answered.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    public static async Task<StallingInferenceServer> StartAsync(TimeSpan period, TimeSpan stall)
    {
        var server = new StallingInferenceServer(period, stall);
        var (app, address) = await LoopbackGrpcHost.StartAsync(server);
        server._app = app;
        server.Address = new Uri(address);
        return server;
    }

    public override async Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        var phase = (Stopwatch.GetTimestamp() - _origin) % _period;
        if (phase < _stall)
        {
            await Task.Delay(TimeSpan.FromSeconds((_stall - phase) / (double)Stopwatch.Frequency), context.CancellationToken);
        }

        Interlocked.Increment(ref _answered);
        return _answer;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await LoopbackGrpcHost.StopAsync(_app);
        }
    }
}
