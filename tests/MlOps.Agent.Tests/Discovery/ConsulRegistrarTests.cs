using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MlOps.Agent.Discovery;
using MlOps.Agent.Options;
using MlOps.Agent.Tests.Inventory;
using MlOps.Discovery.Services;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Discovery;

public sealed class ConsulRegistrarTests
{
    private static readonly TimeSpan Pass = TimeSpan.FromSeconds(5);

    private readonly FakeConsulClientForTests _consul = new();
    private readonly FakeServingViewForTests _serving = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ListLoggerForTests<ConsulRegistrar> _logs = new();

    [Fact]
    public async Task RunOnceAsync_FirstPass_RegistersTheAgentWithAPassingCheck()
    {
        using var registrar = Registrar();

        Assert.True(await registrar.RunOnceAsync(passChecks: true, CancellationToken.None));

        Assert.Equal(["register node-1"], _consul.Calls);
        Assert.Equal("mlops-agent", _consul.Services["node-1"].Name);
        Assert.Equal(CheckStatus.Passing, _consul.CheckStatusOf("node-1:ttl"));
    }

    [Fact]
    public async Task RunOnceAsync_LaterPasses_PassTheTtlOfTheAgentAndOfEveryModel()
    {
        using var registrar = Registrar();
        _serving.SetReady(new ReadyVersion("fashion", "1"), new ReadyVersion("fashion", "2"));
        await registrar.RunOnceAsync(passChecks: true, CancellationToken.None);
        _consul.ClearCalls();

        await registrar.RunOnceAsync(passChecks: true, CancellationToken.None);

        Assert.Equal(["ttl node-1:ttl passing", "ttl node-1-fashion-1:ttl passing", "ttl node-1-fashion-2:ttl passing"], _consul.Calls);
    }

    [Fact]
    public async Task RunOnceAsync_VersionBecomesReadyThenLeaves_RegisteredThenDeregistered()
    {
        using var registrar = Registrar();
        await registrar.RunOnceAsync(passChecks: true, CancellationToken.None);

        _serving.SetReady(new ReadyVersion("fashion", "1"));
        await registrar.RunOnceAsync(passChecks: false, CancellationToken.None);

        var model = _consul.Services["node-1-fashion-1"];
        Assert.Equal("mlops-model", model.Name);
        Assert.Contains("model=fashion", model.Tags);
        Assert.Contains("version=1", model.Tags);
        Assert.Equal(CheckStatus.Passing, _consul.CheckStatusOf("node-1-fashion-1:ttl"));
        Assert.Equal([new ReadyVersion("fashion", "1")], registrar.Registered);

        _serving.SetReady();
        _consul.ClearCalls();
        await registrar.RunOnceAsync(passChecks: false, CancellationToken.None);

        Assert.Equal(["deregister node-1-fashion-1"], _consul.Calls);
        Assert.False(_consul.Services.ContainsKey("node-1-fashion-1"));
        Assert.Empty(registrar.Registered);
    }

    [Fact]
    public async Task RunOnceAsync_ServingWithoutGrpcEndpoint_OnlyTheAgentIsRegistered()
    {
        _serving.Addresses = new() { RestAddress = "http://10.0.0.7:8000" };
        _serving.SetReady(new ReadyVersion("fashion", "1"));
        using var registrar = Registrar();

        await registrar.RunOnceAsync(passChecks: true, CancellationToken.None);

        Assert.Equal(["node-1"], _consul.Services.Keys);
    }

    [Fact]
    public async Task RunOnceAsync_ConsulDown_FailsQuietlyLogsOncePerMinuteAndRegistersEverythingWhenBack()
    {
        using var registrar = Registrar();
        _serving.SetReady(new ReadyVersion("fashion", "1"));
        await registrar.RunOnceAsync(passChecks: true, CancellationToken.None);

        _consul.Down = true;
        for (var i = 0; i < 5; i++)
        {
            Assert.False(await registrar.RunOnceAsync(passChecks: true, CancellationToken.None));
            _clock.Advance(Pass);
        }

        Assert.Single(Warnings());
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await registrar.RunOnceAsync(passChecks: true, CancellationToken.None));
        Assert.Equal(2, Warnings().Count);
        Assert.Contains("still failing (4 more failed pass(es)", Warnings()[1]);

        _consul.Down = false;
        _consul.Reset(); // as a restarted dev agent: every registration lost
        _consul.ClearCalls();
        Assert.True(await registrar.RunOnceAsync(passChecks: true, CancellationToken.None));

        Assert.Equal(["register node-1", "register node-1-fashion-1"], _consul.Calls);
        Assert.Contains(_logs.Entries, e => e.EventId == 2206 && e.Message.Contains("after 6 failed"));
    }

    [Fact]
    public async Task RunOnceAsync_ConsulForgotTheChecks_TtlFailsAndTheNextPassRegistersAgain()
    {
        using var registrar = Registrar();
        await registrar.RunOnceAsync(passChecks: true, CancellationToken.None);
        _consul.Reset();

        Assert.False(await registrar.RunOnceAsync(passChecks: true, CancellationToken.None));
        Assert.True(await registrar.RunOnceAsync(passChecks: true, CancellationToken.None));

        Assert.True(_consul.Services.ContainsKey("node-1"));
    }

    [Fact]
    public async Task StopAsync_Registered_DeregistersModelsThenTheAgent()
    {
        using var registrar = Registrar();
        _serving.SetReady(new ReadyVersion("fashion", "1"));
        await registrar.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => _consul.Services.Count == 2);

        _consul.ClearCalls();
        await registrar.StopAsync(CancellationToken.None);

        Assert.Equal(["deregister node-1-fashion-1", "deregister node-1"], _consul.Calls);
        Assert.Empty(_consul.Services);
    }

    [Fact]
    public async Task StopAsync_ConsulDown_ReturnsAndLogs()
    {
        using var registrar = Registrar();
        await registrar.RunOnceAsync(passChecks: true, CancellationToken.None);
        _consul.Down = true;

        await registrar.StopAsync(CancellationToken.None);

        Assert.Contains(_logs.Entries, e => e.EventId == 2208);
    }

    [Fact]
    public async Task ExecuteAsync_VersionBecomesReady_RegisteredWithoutWaitingForTheTimer()
    {
        using var registrar = Registrar();
        await registrar.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => _consul.Services.ContainsKey("node-1"));

        _serving.SetReady(new ReadyVersion("fashion", "1"));

        await WaitUntilAsync(() => _consul.Services.ContainsKey("node-1-fashion-1"));
        Assert.DoesNotContain(_consul.Calls, c => c.StartsWith("ttl", StringComparison.Ordinal));
        await registrar.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ExecuteAsync_EveryPassInterval_PassesTheChecks()
    {
        using var registrar = Registrar();
        _serving.SetReady(new ReadyVersion("fashion", "1"));
        await registrar.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => _consul.Services.Count == 2);

        for (var tick = 1; tick <= 3; tick++)
        {
            _clock.Advance(Pass);
            await WaitUntilAsync(() => _consul.Calls.Count(c => c == "ttl node-1:ttl passing") == tick);
        }

        Assert.Equal(3, _consul.Calls.Count(c => c == "ttl node-1-fashion-1:ttl passing"));
        await registrar.StopAsync(CancellationToken.None);
    }

    private ConsulRegistrar Registrar() => new(
        _consul,
        _serving,
        new FakeNvmlForTests(0),
        Microsoft.Extensions.Options.Options.Create(new AgentOptions
        {
            Id = "node-1",
            CpuCores = 4,
            MemoryMb = 8000,
            Consul = new AgentConsulOptions { Address = "http://127.0.0.1:8500", PassInterval = Pass },
        }),
        _clock,
        _logs);

    private List<string> Warnings() => [.. _logs.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message)];

    /// <summary>The background loop runs on the thread pool: wait (in real time) for what it does on its own.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }
}
