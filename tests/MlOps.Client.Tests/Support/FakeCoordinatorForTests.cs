using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.Client.Tests.Support;

/// <summary>
/// TEST DOUBLE of the coordinator's DeploymentService on a loopback port: answers GetDeployment with the deployments
/// a test sets (NOT_FOUND for any other name) and counts the calls.
/// </summary>
internal sealed class FakeCoordinatorForTests : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeCoordinatorForTests(WebApplication app, string address, FakeDeploymentServiceForTests service)
    {
        _app = app;
        Address = address;
        Deployments = service;
        Channel = GrpcChannel.ForAddress(address);
    }

    public string Address { get; }

    private bool _stopped;

    public FakeDeploymentServiceForTests Deployments { get; }

    /// <summary>A channel to this coordinator, for the client under test.</summary>
    public GrpcChannel Channel { get; }

    public static async Task<FakeCoordinatorForTests> StartAsync()
    {
        var service = new FakeDeploymentServiceForTests();
        var (app, address) = await LoopbackGrpcHost.StartAsync(service);
        return new FakeCoordinatorForTests(app, address, service);
    }

    /// <summary>Stops answering (the port closes) while the channel stays usable: a coordinator that went away.</summary>
    public async Task StopServingAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await LoopbackGrpcHost.StopAsync(_app);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await StopServingAsync();
    }
}

/// <summary>TEST DOUBLE of DeploymentService: only GetDeployment, from <see cref="Set"/>.</summary>
internal sealed class FakeDeploymentServiceForTests : DeploymentService.DeploymentServiceBase
{
    private readonly ConcurrentDictionary<string, Deployment> _deployments = new(StringComparer.Ordinal);
    private int _gets;

    /// <summary>GetDeployment calls so far.</summary>
    public int Gets => Volatile.Read(ref _gets);

    /// <summary>What GetDeployment answers for the deployment's name from now on.</summary>
    public void Set(Deployment deployment) => _deployments[deployment.Spec.Name] = deployment.Clone();

    public override Task<Deployment> GetDeployment(GetDeploymentRequest request, ServerCallContext context)
    {
        Interlocked.Increment(ref _gets);
        return _deployments.TryGetValue(request.Name, out var deployment)
            ? Task.FromResult(deployment.Clone())
            : throw new RpcException(new Status(StatusCode.NotFound, $"deployment {request.Name} not found"));
    }
}
