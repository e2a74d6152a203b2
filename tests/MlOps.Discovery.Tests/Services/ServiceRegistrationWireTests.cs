using System.Text.Json;
using MlOps.Discovery.Services;
using MlOps.Discovery.Tests.Support;
using static MlOps.Discovery.Tests.Support.FakeConsulHandlerForTests;

namespace MlOps.Discovery.Tests.Services;

/// <summary>What registration and TTL updates put on the wire (the agent tests check Consul accepts it).</summary>
public sealed class ServiceRegistrationWireTests
{
    [Fact]
    public async Task RegisterServiceAsync_AllCheckKinds_SendsConsulFieldsAndGoDurations()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json(""));
        using var client = Client(handler);

        await client.RegisterServiceAsync(new ServiceRegistration
        {
            Name = "mlops-agent",
            Id = "agent-node1",
            Address = "10.0.0.5",
            Port = 8001,
            Tags = ["gpu", "onnx"],
            Meta = new Dictionary<string, string> { ["gpu"] = "H100" },
            Checks =
            [
                CheckDefinition.ForTtl("agent-node1-ttl", TimeSpan.FromSeconds(15)) with { DeregisterCriticalServiceAfter = TimeSpan.FromMinutes(1) },
                CheckDefinition.ForGrpc("agent-node1-grpc", "10.0.0.5:8001", TimeSpan.FromSeconds(10)) with { Timeout = TimeSpan.FromSeconds(2) },
                CheckDefinition.ForHttp("agent-node1-http", "http://10.0.0.5:8000/v2/health/ready", TimeSpan.FromMilliseconds(1500)),
            ],
        });

        var request = handler.Requests.Single();
        Assert.Equal("/v1/agent/service/register?replace-existing-checks=true", request.PathAndQuery);
        Assert.Equal(HttpMethod.Put, request.Method);
        using var json = JsonDocument.Parse(request.Body!);
        var root = json.RootElement;
        Assert.Equal("agent-node1", root.GetProperty("ID").GetString());
        Assert.Equal("mlops-agent", root.GetProperty("Name").GetString());
        Assert.Equal(8001, root.GetProperty("Port").GetInt32());
        Assert.Equal("H100", root.GetProperty("Meta").GetProperty("gpu").GetString());
        Assert.Equal(["gpu", "onnx"], root.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()));
        var checks = root.GetProperty("Checks").EnumerateArray().ToArray();
        Assert.Equal("agent-node1-ttl", checks[0].GetProperty("CheckID").GetString());
        Assert.Equal("15s", checks[0].GetProperty("TTL").GetString());
        Assert.Equal("60s", checks[0].GetProperty("DeregisterCriticalServiceAfter").GetString());
        Assert.False(checks[0].TryGetProperty("Interval", out _));
        Assert.Equal("10.0.0.5:8001", checks[1].GetProperty("GRPC").GetString());
        Assert.False(checks[1].GetProperty("GRPCUseTLS").GetBoolean());
        Assert.Equal("10s", checks[1].GetProperty("Interval").GetString());
        Assert.Equal("2s", checks[1].GetProperty("Timeout").GetString());
        Assert.Equal("http://10.0.0.5:8000/v2/health/ready", checks[2].GetProperty("HTTP").GetString());
        Assert.Equal("1500ms", checks[2].GetProperty("Interval").GetString());
    }

    [Fact]
    public async Task RegisterServiceAsync_Invalid_ThrowsListingEveryProblemWithoutSending()
    {
        var handler = new FakeConsulHandlerForTests(_ => Json(""));
        using var client = Client(handler);
        var registration = new ServiceRegistration
        {
            Name = " ",
            Port = 70000,
            Checks =
            [
                new CheckDefinition { CheckId = "both", Ttl = TimeSpan.FromSeconds(5), Http = "http://x/" },
                new CheckDefinition { CheckId = "no-interval", Grpc = "127.0.0.1:1" },
                CheckDefinition.ForTtl("both", TimeSpan.FromSeconds(5)),
            ],
        };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.RegisterServiceAsync(registration));

        Assert.Contains("Name must not be empty", error.Message, StringComparison.Ordinal);
        Assert.Contains("Port must be 0-65535", error.Message, StringComparison.Ordinal);
        Assert.Contains("Checks[0]: exactly one of Ttl, Http and Grpc", error.Message, StringComparison.Ordinal);
        Assert.Contains("Checks[1]: HTTP and gRPC checks need a positive Interval", error.Message, StringComparison.Ordinal);
        Assert.Contains("check id 'both' is used twice", error.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Theory]
    [InlineData(CheckStatus.Passing, "passing")]
    [InlineData(CheckStatus.Warning, "warning")]
    [InlineData(CheckStatus.Critical, "critical")]
    public async Task UpdateTtlCheckAsync_Status_SendsStatusAndOutput(CheckStatus status, string wire)
    {
        var handler = new FakeConsulHandlerForTests(_ => Json(""));
        using var client = Client(handler);

        await client.UpdateTtlCheckAsync("svc:1 ttl", status, "load 0.3");

        var request = handler.Requests.Single();
        Assert.Equal("/v1/agent/check/update/svc%3A1%20ttl", request.Uri.AbsolutePath);
        Assert.Equal($$"""{"Status":"{{wire}}","Output":"load 0.3"}""", request.Body);
    }

    private static ConsulClient Client(FakeConsulHandlerForTests handler) =>
        new(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }, new ConsulOptions { Address = "http://consul.test:8500" });
}
