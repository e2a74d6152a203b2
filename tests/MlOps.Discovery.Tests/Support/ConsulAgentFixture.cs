using MlOps.Testing;

namespace MlOps.Discovery.Tests.Support;

/// <summary>One real Consul dev agent per test class (classes run in parallel, each on its own ports).</summary>
public sealed class ConsulAgentFixture : IAsyncLifetime
{
    private ConsulAgent? _agent;

    public ConsulAgent Agent => _agent ?? throw new InvalidOperationException("the agent is not started");

    public async Task InitializeAsync() => _agent = await ConsulAgent.StartAsync();

    public async Task DisposeAsync()
    {
        if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }
    }

    /// <summary>A client of this agent; retries quickly so a failing test fails fast.</summary>
    public ConsulClient Client(string? token = null) => new(new ConsulOptions
    {
        Address = Agent.Address,
        Token = token,
        Retry = new ConsulRetryOptions { MaxAttempts = 2, InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(200) },
    });
}
