using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Agent.Inventory;
using MlOps.Agent.Jobs;
using MlOps.Agent.Options;
using MlOps.Contracts;

namespace MlOps.Agent.Session;

/// <summary>
/// Keeps the agent's one stream to the coordinator open (docs/agent-protocol.md): hello, heartbeats,
/// outgoing job messages, incoming assignments and cancellations; reconnects with capped, jittered backoff.
/// </summary>
internal sealed partial class CoordinatorSession(
    CoordinatorChannel coordinator,
    AgentOutbox outbox,
    JobSupervisor jobs,
    MlOps.Agent.Serving.ServingReconciler serving,
    MlOps.Agent.Serving.InferenceCredentialsReceiver inferenceCredentials,
    CoordinatorLease lease,
    GpuHealthMonitor gpus,
    INvml nvml,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<CoordinatorSession> logger) : BackgroundService
{
    private static readonly TimeSpan GracefulCloseTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The heartbeat interval of the current session: the margin a lease keeps before the coordinator's.</summary>
    private TimeSpan _heartbeat = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var (capacity, gpuProblem) = NodeInventory.Read(settings, nvml);
        LogInventory(settings.Id, capacity.CpuCores, capacity.MemoryMb, capacity.Gpus.Count, gpuProblem ?? "");

        var client = new AgentService.AgentServiceClient(coordinator.Channel);
        var backoff = new ReconnectBackoff(settings.ReconnectMinDelay, settings.ReconnectMaxDelay);

        while (!stoppingToken.IsCancellationRequested)
        {
            var address = coordinator.Address;
            try
            {
                await RunSessionAsync(client, capacity, backoff, stoppingToken);
                LogStreamEnded(address);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RpcException ex) when (coordinator.Invoker.Failover(ex) && ex.Trailers.GetValue(MlOps.Contracts.LeaderRedirect.TrailerKey) is { Length: > 0 })
            {
                // A follower named the leader: go there at once. (Failover also moves on to the next address after an
                // unreachable coordinator; that case falls through to the backoff below.)
                LogRedirected(address, coordinator.Address);
                continue;
            }
            catch (Exception ex)
            {
                LogConnectionFailed(address, ex.Message);
            }

            var delay = backoff.Next();
            LogReconnecting(delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task RunSessionAsync(AgentService.AgentServiceClient client, AgentCapacity capacity, ReconnectBackoff backoff, CancellationToken stoppingToken)
    {
        var settings = options.Value;
        // The call is not tied to stoppingToken: on shutdown the agent half-closes the stream so the coordinator
        // sees a clean end instead of a reset, and only then cancels.
        using var sessionCts = new CancellationTokenSource();
        using var call = client.Connect(cancellationToken: sessionCts.Token);
        using var stopping = stoppingToken.Register(() => sessionCts.CancelAfter(GracefulCloseTimeout));

        var hello = new AgentHello
        {
            AgentId = settings.Id,
            Host = Environment.MachineName,
            Capacity = capacity,
            Version = typeof(CoordinatorSession).Assembly.GetName().Version?.ToString() ?? "",
        };
        hello.Running.AddRange(jobs.Running);
        hello.Labels.Add(settings.Labels);
        if (serving.Addresses is { } addresses)
        {
            hello.Serving = addresses;
        }

        await call.RequestStream.WriteAsync(new AgentMessage { Hello = hello }, sessionCts.Token);

        if (!await call.ResponseStream.MoveNext(sessionCts.Token) || call.ResponseStream.Current.KindCase != CoordinatorMessage.KindOneofCase.Welcome)
        {
            throw new InvalidOperationException("the coordinator did not answer the hello with a welcome");
        }

        var welcome = call.ResponseStream.Current.Welcome;
        var heartbeat = welcome.HeartbeatInterval?.ToTimeSpan() is { } h && h > TimeSpan.Zero ? h : settings.DefaultHeartbeatInterval;
        _heartbeat = heartbeat;
        backoff.Reset();
        LogConnected(coordinator.Address, heartbeat.TotalSeconds);
        outbox.Post(new AgentMessage { Serving = serving.Status() });

        using var writer = new SerializedWriter(call.RequestStream);
        using var loopsCts = CancellationTokenSource.CreateLinkedTokenSource(sessionCts.Token, stoppingToken);
        var sending = SendLoopAsync(writer, loopsCts.Token);
        var beating = HeartbeatLoopAsync(writer, heartbeat, loopsCts.Token);
        var closing = stoppingToken.Register(() => _ = CloseAsync(writer, sending, beating));
        try
        {
            await foreach (var message in call.ResponseStream.ReadAllAsync(sessionCts.Token))
            {
                Handle(message);
            }
        }
        finally
        {
            await closing.DisposeAsync();
            await loopsCts.CancelAsync();
            await sessionCts.CancelAsync();
            await Task.WhenAll(Quietly(sending), Quietly(beating));
        }

        stoppingToken.ThrowIfCancellationRequested();
    }

    /// <summary>Shutdown: stop sending, then half-close; the coordinator ends its side and the read loop finishes.</summary>
    private static async Task CloseAsync(SerializedWriter writer, Task sending, Task beating)
    {
        await Task.WhenAll(Quietly(sending), Quietly(beating));
        await Quietly(writer.CompleteAsync());
    }

    private void Handle(CoordinatorMessage message)
    {
        switch (message.KindCase)
        {
            case CoordinatorMessage.KindOneofCase.Assignment:
                LogAssignment(message.Assignment.JobId, message.Assignment.Attempt, message.Assignment.Spec.Name);
                jobs.Start(message.Assignment);
                break;
            case CoordinatorMessage.KindOneofCase.Cancellation:
                jobs.Cancel(message.Cancellation.JobId, message.Cancellation.Attempt, message.Cancellation.Reason, message.Cancellation.Preempt);
                break;
            case CoordinatorMessage.KindOneofCase.Serving:
                serving.Apply(message.Serving);
                break;
            case CoordinatorMessage.KindOneofCase.Lease:
                lease.Renew(message.Lease.ValidFor?.ToTimeSpan() ?? TimeSpan.Zero, _heartbeat);
                break;
            case CoordinatorMessage.KindOneofCase.InferenceCredentials:
                inferenceCredentials.Apply(message.InferenceCredentials);
                break;
            case CoordinatorMessage.KindOneofCase.Welcome:
                break;
        }
    }

    private async Task SendLoopAsync(SerializedWriter writer, CancellationToken cancellationToken)
    {
        // A message taken from the outbox but not written (stream broke) is re-posted, so nothing is lost in order
        // beyond that single reordering.
        while (await outbox.Reader.WaitToReadAsync(cancellationToken))
        {
            while (outbox.Reader.TryRead(out var message))
            {
                try
                {
                    await writer.WriteAsync(message, cancellationToken);
                }
                catch
                {
                    outbox.Post(message);
                    throw;
                }
            }
        }
    }

    private async Task HeartbeatLoopAsync(SerializedWriter writer, TimeSpan interval, CancellationToken cancellationToken)
    {
        // The first beat at once: its answer is the first lease grant, which the training processes need before they
        // can stop by themselves under a frozen agent.
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            var beat = new Heartbeat { Time = Timestamp.FromDateTimeOffset(time.GetUtcNow()) };
            beat.Running.AddRange(jobs.Running);
            beat.Gpus.AddRange(gpus.Read());
            await writer.WriteAsync(new AgentMessage { Heartbeat = beat }, cancellationToken);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch
        {
            // The session is over; its loops end with it.
        }
    }

    /// <summary>gRPC allows one pending write per stream; heartbeats and job messages share it.</summary>
    private sealed class SerializedWriter(IClientStreamWriter<AgentMessage> stream) : IDisposable
    {
        private readonly SemaphoreSlim _gate = new(1, 1);

        public async Task WriteAsync(AgentMessage message, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken);
            try
            {
                await stream.WriteAsync(message, cancellationToken);
            }
            finally
            {
                _gate.Release();
            }
        }

        public async Task CompleteAsync()
        {
            await _gate.WaitAsync();
            try
            {
                await stream.CompleteAsync();
            }
            finally
            {
                _gate.Release();
            }
        }

        public void Dispose() => _gate.Dispose();
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Agent {AgentId}: {Cores} CPU cores, {MemoryMb} MB memory, {Gpus} GPU(s) {GpuNote}")]
    private partial void LogInventory(string agentId, int cores, long memoryMb, int gpus, string gpuNote);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Connected to coordinator {Address}; heartbeat every {Seconds} s")]
    private partial void LogConnected(string address, double seconds);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Connection to coordinator {Address} failed: {Reason}")]
    private partial void LogConnectionFailed(string address, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Reconnecting in {Seconds:F1} s")]
    private partial void LogReconnecting(double seconds);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Stream to coordinator {Address} ended")]
    private partial void LogStreamEnded(string address);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Coordinator {Address} follows; connecting to the leader at {Leader}")]
    private partial void LogRedirected(string address, string leader);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Assigned job {JobId} attempt {Attempt} ({Name})")]
    private partial void LogAssignment(string jobId, int attempt, string name);
}
