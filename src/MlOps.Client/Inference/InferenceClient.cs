using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Contracts;
using MlOps.Contracts.Inference;

namespace MlOps.Client.Inference;

/// <summary>
/// Calls a deployment's replicas with the Open Inference Protocol. Ready replicas come from the
/// <see cref="InferenceClientOptions.ReplicaSource"/>: the coordinator (<c>DeploymentService.GetDeployment</c>) by
/// default, or Consul (<see cref="ConsulReplicaSource"/>); they are cached for
/// <see cref="InferenceClientOptions.ReplicaRefreshInterval"/> per deployment and requested version. Requests go
/// round-robin over them, and a replica that answers UNAVAILABLE (or cannot be reached) is skipped until the next
/// refresh while the request is retried on another one. Any other status is the request's own answer and is thrown
/// as is. While the source cannot be reached the last known replicas keep being used. The model name of a request is
/// the deployment's name; leave the version empty to let the deployment's traffic split pick it (canary, rollout), or
/// set it to pin one version. Replicas that authenticate callers get <see cref="InferenceClientOptions.Security"/>'s
/// token and certificates. Thread-safe; reuse one instance (it keeps one HTTP/2 channel per replica).
/// </summary>
public sealed class InferenceClient : IDisposable
{
    private readonly DeploymentService.DeploymentServiceClient _deployments;
    private readonly IReplicaSource _source;
    private readonly InferenceClientOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReplicaSet> _replicas = new(StringComparer.Ordinal);
    private long _next;

    /// <param name="coordinator">A channel to the coordinator.</param>
    /// <param name="options">Retry, refresh and message-size settings; defaults when null.</param>
    /// <param name="time">Clock of the replica-list cache; the system clock when null.</param>
    public InferenceClient(ChannelBase coordinator, InferenceClientOptions? options = null, TimeProvider? time = null)
        : this((coordinator ?? throw new ArgumentNullException(nameof(coordinator))).CreateCallInvoker(), options, time)
    {
    }

    /// <param name="coordinator">Calls to the coordinator (e.g. a channel with interceptors that add headers).</param>
    /// <param name="options">Replica source, retry, refresh and message-size settings; defaults when null.</param>
    /// <param name="time">Clock of the replica-list cache; the system clock when null.</param>
    public InferenceClient(CallInvoker coordinator, InferenceClientOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        _deployments = new DeploymentService.DeploymentServiceClient(coordinator);
        _options = options ?? new InferenceClientOptions();
        _source = _options.ReplicaSource ?? new CoordinatorReplicaSource(coordinator);
        _time = time ?? TimeProvider.System;
        if (_options.MaxAttempts < 1)
        {
            throw new ArgumentException($"MaxAttempts must be at least 1, got {_options.MaxAttempts}", nameof(options));
        }
    }

    /// <summary>Runs one inference on a ready replica of deployment <c>request.ModelName</c>.</summary>
    /// <exception cref="RpcException">NOT_FOUND for an unknown deployment; UNAVAILABLE when no replica is ready or every
    /// try failed (the message says which replicas were tried); the replica's status for a bad request.</exception>
    public Task<ModelInferResponse> PredictAsync(ModelInferRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync(request.ModelName, request.ModelVersion, client => client.ModelInferAsync(request, cancellationToken: cancellationToken).ResponseAsync, cancellationToken);
    }

    /// <summary>The deployment's inputs and outputs (from a ready replica).</summary>
    public Task<ModelMetadataResponse> MetadataAsync(string deployment, string version = "", CancellationToken cancellationToken = default) =>
        CallAsync(deployment, version, client => client.ModelMetadataAsync(new ModelMetadataRequest { Name = deployment, Version = version ?? "" },
            cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    /// <summary>The deployment's model configuration, with the model's parameters (e.g. input normalisation).</summary>
    public Task<ModelConfigResponse> ConfigAsync(string deployment, string version = "", CancellationToken cancellationToken = default) =>
        CallAsync(deployment, version, client => client.ModelConfigAsync(new ModelConfigRequest { Name = deployment, Version = version ?? "" },
            cancellationToken: cancellationToken).ResponseAsync, cancellationToken);

    /// <summary>The deployment as the coordinator reports it now (phase, traffic split, replicas).</summary>
    public async Task<Deployment> DeploymentAsync(string deployment, CancellationToken cancellationToken = default) =>
        await _deployments.GetDeploymentAsync(new GetDeploymentRequest { Name = deployment }, cancellationToken: cancellationToken);

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        _channels.Clear();
    }

    private async Task<T> CallAsync<T>(string deployment, string? version, Func<GRPCInferenceService.GRPCInferenceServiceClient, Task<T>> call, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(deployment))
        {
            throw new ArgumentException("a deployment (model) name is required", nameof(deployment));
        }

        var failures = new List<string>();
        var refreshed = false;
        for (var attempt = 0; attempt < _options.MaxAttempts; attempt++)
        {
            var set = await ReplicasAsync(deployment, version ?? "", refresh: false, cancellationToken);
            var address = set.Pick(Interlocked.Increment(ref _next));
            if (address is null && !refreshed)
            {
                refreshed = true;
                set = await ReplicasAsync(deployment, version ?? "", refresh: true, cancellationToken);
                address = set.Pick(Interlocked.Increment(ref _next));
            }

            if (address is null)
            {
                break;
            }

            try
            {
                return await call(new GRPCInferenceService.GRPCInferenceServiceClient(Channel(address)));
            }
            catch (RpcException ex) when (IsTransportFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{address}: {ex.Status.Detail}");
                set.MarkFailed(address);
            }
        }

        var current = await ReplicasAsync(deployment, version ?? "", refresh: false, cancellationToken);
        throw new RpcException(new Status(StatusCode.Unavailable, failures.Count == 0
            ? $"deployment '{deployment}' has no ready replica ({current.Describe()})"
            : $"deployment '{deployment}': every try failed: {string.Join("; ", failures)}"));
    }

    internal static bool IsTransportFailure(RpcException ex) => MlOps.Client.Rpc.RpcFailures.IsTransportFailure(ex);

    private async Task<ReplicaSet> ReplicasAsync(string deployment, string version, bool refresh, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var key = deployment + "\n" + version;
        var known = _replicas.TryGetValue(key, out var cached);
        if (!refresh && known && now - cached!.FetchedAt < _options.ReplicaRefreshInterval)
        {
            return cached;
        }

        ReplicaList fetched;
        try
        {
            fetched = await _source.GetReadyReplicasAsync(deployment, version, cancellationToken);
        }
        catch (RpcException ex) when ((IsTransportFailure(ex) || ex.StatusCode == StatusCode.DeadlineExceeded) && cached is not null &&
                                      !cancellationToken.IsCancellationRequested)
        {
            // The data plane does not need the coordinator (or Consul): keep calling the replicas last known to be ready.
            return cached;
        }

        var set = new ReplicaSet(fetched, now);
        _replicas[key] = set;
        return set;
    }

    private GrpcChannel Channel(string address) => _channels.GetOrAdd(address, a => GrpcChannel.ForAddress(a, new GrpcChannelOptions
    {
        MaxReceiveMessageSize = _options.MaxReceiveMessageBytes,
        MaxSendMessageSize = _options.MaxSendMessageBytes,
        // Without security the channel keeps gRPC's own default handler.
        HttpHandler = _options.Security.IsEmpty ? null : _options.Security.CreateHandler(new SocketsHttpHandler { EnableMultipleHttp2Connections = true }),
        DisposeHttpClient = true,
    }));

    /// <summary>The ready replicas' gRPC addresses at one moment, minus those that failed since.</summary>
    private sealed class ReplicaSet(ReplicaList replicas, DateTimeOffset fetchedAt)
    {
        private readonly string[] _addresses = [.. replicas.GrpcAddresses];
        private readonly ConcurrentDictionary<string, bool> _failed = new(StringComparer.Ordinal);

        public DateTimeOffset FetchedAt { get; } = fetchedAt;

        public string? Pick(long ticket)
        {
            for (var i = 0; i < _addresses.Length; i++)
            {
                var address = _addresses[(int)((ticket + i) % _addresses.Length)];
                if (!_failed.ContainsKey(address))
                {
                    return address;
                }
            }

            return null;
        }

        public void MarkFailed(string address) => _failed[address] = true;

        public string Describe() => replicas.Description;
    }
}
