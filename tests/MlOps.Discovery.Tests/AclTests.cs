using System.Net;
using System.Text;
using MlOps.Testing;

namespace MlOps.Discovery.Tests;

/// <summary>The ACL token header against a real Consul 1.8 dev agent with ACLs on and default policy deny.</summary>
[Trait("Category", "Integration")]
public sealed class AclTests(AclTests.AclAgent acl) : IClassFixture<AclTests.AclAgent>
{
    private const string MasterToken = "6d4a2c0e-1f3b-4c5d-8e9f-0a1b2c3d4e5f";

    private ConsulAgent Agent => acl.Agent;

    [Fact]
    public async Task PutKeyAsync_WithoutToken_ThrowsPermissionDeniedWithConsulsPlainText()
    {
        using var client = new ConsulClient(new ConsulOptions { Address = Agent.Address });

        var error = await Assert.ThrowsAsync<ConsulException>(() => client.PutKeyAsync("acl/test", Encoding.UTF8.GetBytes("x")));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.True(error.IsPermissionDenied);
        Assert.Contains("Permission denied", error.ConsulMessage, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task PutKeyAsync_WithMasterToken_Succeeds()
    {
        using var client = new ConsulClient(new ConsulOptions { Address = Agent.Address, Token = MasterToken });

        Assert.True(await client.PutKeyAsync("acl/test", Encoding.UTF8.GetBytes("x")));
        Assert.Equal("x", (await client.GetKeyAsync("acl/test")).Value!.ValueAsString());
    }

    [Fact]
    public async Task GetKeyAsync_UnknownToken_ThrowsForbiddenAclNotFound()
    {
        using var client = new ConsulClient(new ConsulOptions { Address = Agent.Address, Token = Guid.NewGuid().ToString() });

        var error = await Assert.ThrowsAsync<ConsulException>(() => client.GetKeyAsync("acl/test"));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Contains("ACL not found", error.ConsulMessage, StringComparison.Ordinal);
    }

    /// <summary>One ACL-enabled agent for the class.</summary>
    public sealed class AclAgent : IAsyncLifetime
    {
        private ConsulAgent? _agent;

        public ConsulAgent Agent => _agent ?? throw new InvalidOperationException("the agent is not started");

        public async Task InitializeAsync() => _agent = await ConsulAgent.StartAsync(aclMasterToken: MasterToken);

        public async Task DisposeAsync()
        {
            if (_agent is not null)
            {
                await _agent.DisposeAsync();
            }
        }
    }
}
