using MlOps.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Hosting;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Scheduling;
using MlOps.Coordinator.Storage;
using MlOps.Coordinator.Tests.TestData;

namespace MlOps.Coordinator.Tests.Infrastructure;

/// <summary>
/// The coordinator's services without a web host, on a temp database, a tiny dataset and a
/// <see cref="FakeTimeProvider"/>: for tests that drive leases, scheduling and the API classes directly.
/// </summary>
internal sealed class TestCoordinator : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory;
    private readonly ServiceProvider _services;

    private TestCoordinator(TempDirectory directory, ServiceProvider services, FakeTimeProvider time, string datasetPath, CapturingLoggerProvider logs)
    {
        _directory = directory;
        _services = services;
        Time = time;
        DatasetPath = datasetPath;
        Logs = logs;
    }

    public FakeTimeProvider Time { get; }

    /// <summary>Everything the services logged.</summary>
    public CapturingLoggerProvider Logs { get; }

    public string DatasetPath { get; }

    public string DataDirectory => _directory.Combine("data");

    public static async Task<TestCoordinator> CreateAsync(Action<CoordinatorOptions>? configure = null, Action<SchedulingOptions>? scheduling = null)
    {
        var directory = new TempDirectory();
        var dataset = FourPixelDataset.Write(directory.Combine("tiny"));
        var time = new FakeTimeProvider(Start);
        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(logs))
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IHostApplicationLifetime, TestLifetime>();
        services.AddOptions<CoordinatorOptions>().Configure(o =>
        {
            o.DataDirectory = directory.Combine("data");
            configure?.Invoke(o);
        });
        services.AddOptions<SchedulingOptions>().Configure(o => scheduling?.Invoke(o));
        services.AddOptions<DatasetCatalogOptions>().Configure(o => o.Entries[TestSpecs.TinyDataset] = FourPixelDataset.Entry(dataset));
        services.AddCoordinatorCore();
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<CoordinatorStartup>().StartAsync(CancellationToken.None);
        return new TestCoordinator(directory, provider, time, dataset, logs);
    }

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Creates a service class the way gRPC does (constructor injection).</summary>
    public T Create<T>() => ActivatorUtilities.CreateInstance<T>(_services);

    /// <summary>Creates a class with <paramref name="arguments"/> for what the container does not hold (a fake Consul).</summary>
    public T Create<T>(params object[] arguments) => ActivatorUtilities.CreateInstance<T>(_services, arguments);

    public ICoordinatorStore Store => Get<ICoordinatorStore>();

    public Task<Job> SubmitAsync(JobSpec spec) => Get<JobSubmitter>().SubmitAsync(spec, "tester", CancellationToken.None);

    public Task<int> ScheduleAsync() => Get<SchedulerLoop>().RunOnceAsync(CancellationToken.None);

    public async Task<Job> JobAsync(string jobId) =>
        await Store.GetJobAsync(jobId, CancellationToken.None) ?? throw new InvalidOperationException($"no job {jobId}");

    /// <summary>Opens a session for an agent as a hello on a real stream would.</summary>
    public async Task<TestAgentSession> ConnectAsync(string agentId, int cpuCores = 4, long memoryMb = 8000, int gpus = 0, params JobAttempt[] running)
    {
        var capacity = new AgentCapacity { CpuCores = cpuCores, MemoryMb = memoryMb };
        capacity.Gpus.AddRange(Enumerable.Range(0, gpus).Select(i => new GpuInfo { Index = i, Uuid = $"GPU-{agentId}-{i}" }));
        var hello = new AgentHello { AgentId = agentId, Host = agentId + ".test", Capacity = capacity, Version = "test" };
        hello.Running.AddRange(running);
        var session = new AgentSession(agentId, CancellationToken.None);
        var writer = new CollectingStreamWriter<CoordinatorMessage>();
        await Get<AgentConnections>().OpenAsync(session, hello, CancellationToken.None);
        var pump = session.PumpAsync(writer);
        return new TestAgentSession(this, session, writer, pump);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        _directory.Dispose();
    }
}

/// <summary>An agent session opened by <see cref="TestCoordinator.ConnectAsync"/>: what the coordinator sent it, and a way to answer.</summary>
internal sealed class TestAgentSession(TestCoordinator coordinator, AgentSession session, CollectingStreamWriter<CoordinatorMessage> sent, Task pump)
{
    public AgentSession Session => session;

    public CollectingStreamWriter<CoordinatorMessage> Sent => sent;

    public Task Pump => pump;

    public Task SendAsync(AgentMessage message) =>
        coordinator.Get<AgentMessages>().HandleAsync(session, message, CancellationToken.None);

    public Task HeartbeatAsync() => SendAsync(new AgentMessage { Heartbeat = new Heartbeat() });

    public Task StartedAsync(string jobId, int attempt) =>
        SendAsync(new AgentMessage { Started = new JobStarted { JobId = jobId, Attempt = attempt, Pid = 4242 } });

    /// <summary>The next message of the given kind, skipping others (the welcome, say).</summary>
    public async Task<CoordinatorMessage> NextAsync(CoordinatorMessage.KindOneofCase kind)
    {
        while (true)
        {
            var message = await sent.NextAsync();
            if (message.KindCase == kind)
            {
                return message;
            }
        }
    }

    public void Close() => session.Close("test closed the stream");
}
