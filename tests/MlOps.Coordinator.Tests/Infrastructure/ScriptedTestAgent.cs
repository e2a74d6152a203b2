using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Contracts;

namespace MlOps.Coordinator.Tests.Infrastructure;

/// <summary>
/// A test double of an agent: it speaks the real <c>AgentService.Connect</c> stream over a real channel but
/// runs nothing; the test scripts every message it sends (hello, started, progress, completed, ...) and
/// reads what the coordinator sent it.
/// </summary>
internal sealed class ScriptedTestAgent : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    private readonly AsyncDuplexStreamingCall<AgentMessage, CoordinatorMessage> _call;
    private readonly Channel<CoordinatorMessage> _received = Channel.CreateUnbounded<CoordinatorMessage>();
    private readonly Task<Status> _reader;

    private ScriptedTestAgent(string agentId, AsyncDuplexStreamingCall<AgentMessage, CoordinatorMessage> call)
    {
        AgentId = agentId;
        _call = call;
        _reader = ReadAllAsync();
    }

    public string AgentId { get; }

    public Welcome Welcome { get; private set; } = new();

    /// <summary>How the coordinator ended the stream (OK when the agent hung up first).</summary>
    public Task<Status> Closed => _reader;

    public static async Task<ScriptedTestAgent> ConnectAsync(
        GrpcChannel channel, string agentId, int cpuCores = 4, long memoryMb = 8000, int gpus = 0, params JobAttempt[] running)
    {
        var call = new AgentService.AgentServiceClient(channel).Connect();
        var agent = new ScriptedTestAgent(agentId, call);
        var capacity = new AgentCapacity { CpuCores = cpuCores, MemoryMb = memoryMb };
        capacity.Gpus.AddRange(Enumerable.Range(0, gpus).Select(i => new GpuInfo { Index = i, Uuid = $"GPU-{i}", MemoryMb = 16_000 }));
        var hello = new AgentHello { AgentId = agentId, Host = "scripted-" + agentId, Capacity = capacity, Version = "scripted" };
        hello.Running.AddRange(running);
        await agent.SendAsync(new AgentMessage { Hello = hello });
        agent.Welcome = (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Welcome)).Welcome;
        return agent;
    }

    public Task SendAsync(AgentMessage message) => _call.RequestStream.WriteAsync(message);

    public async Task<CoordinatorMessage> NextAsync(CoordinatorMessage.KindOneofCase kind, TimeSpan? wait = null)
    {
        using var timeout = new CancellationTokenSource(wait ?? DefaultWait);
        while (true)
        {
            var message = await _received.Reader.ReadAsync(timeout.Token);
            if (message.KindCase == kind)
            {
                return message;
            }
        }
    }

    public async Task<JobAssignment> NextAssignmentAsync() => (await NextAsync(CoordinatorMessage.KindOneofCase.Assignment)).Assignment;

    public async Task<JobCancellation> NextCancellationAsync(TimeSpan? wait = null) =>
        (await NextAsync(CoordinatorMessage.KindOneofCase.Cancellation, wait)).Cancellation;

    public Task StartedAsync(JobAssignment a) =>
        SendAsync(new AgentMessage { Started = new JobStarted { JobId = a.JobId, Attempt = a.Attempt, Pid = 31337 } });

    public Task ProgressAsync(JobAssignment a, int epoch, long step, double loss) =>
        SendAsync(new AgentMessage
        {
            Progress = new JobProgressUpdate
            {
                JobId = a.JobId, Attempt = a.Attempt,
                Progress = new TrainingProgress { Epoch = epoch, Epochs = 1, Step = step, StepsPerEpoch = 10, Loss = loss },
            },
        });

    public Task LogAsync(JobAssignment a, string text) =>
        SendAsync(new AgentMessage
        {
            Logs = new JobLogBatch { JobId = a.JobId, Attempt = a.Attempt, Lines = { new LogLine { Stream = LogStream.Stdout, Text = text } } },
        });

    public Task CompletedAsync(JobAssignment a, JobOutcome outcome, JobResult? result = null, string message = "") =>
        SendAsync(new AgentMessage
        {
            Completed = new JobCompleted { JobId = a.JobId, Attempt = a.Attempt, Outcome = outcome, Result = result, Message = message },
        });

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _call.RequestStream.CompleteAsync();
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is InvalidOperationException or RpcException or TimeoutException or OperationCanceledException)
        {
            // Already closed by the coordinator.
        }

        _call.Dispose();
    }

    private async Task<Status> ReadAllAsync()
    {
        try
        {
            await foreach (var message in _call.ResponseStream.ReadAllAsync())
            {
                _received.Writer.TryWrite(message);
            }

            return Status.DefaultSuccess;
        }
        catch (RpcException ex)
        {
            return ex.Status;
        }
        finally
        {
            _received.Writer.TryComplete();
        }
    }
}
