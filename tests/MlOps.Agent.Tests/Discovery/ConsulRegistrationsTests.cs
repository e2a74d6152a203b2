using MlOps.Agent.Discovery;
using MlOps.Agent.Options;
using MlOps.Contracts;
using MlOps.Discovery;
using MlOps.Discovery.Services;

namespace MlOps.Agent.Tests.Discovery;

public sealed class ConsulRegistrationsTests
{
    private static readonly AgentConsulOptions Options = new()
    {
        Address = "http://127.0.0.1:8500",
        PassInterval = TimeSpan.FromSeconds(2),
        DeregisterCriticalAfter = TimeSpan.FromMinutes(3),
    };

    private static readonly ServingAddresses Serving = new() { GrpcAddress = "http://10.0.0.7:8001", RestAddress = "http://10.0.0.7:8000" };

    [Fact]
    public void Agent_ServingNode_CarriesCapacityAddressesAndATtlCheckOfThreePasses()
    {
        var capacity = new AgentCapacity { CpuCores = 8, MemoryMb = 32_000 };
        capacity.Gpus.Add(new GpuInfo());
        capacity.Gpus.Add(new GpuInfo());

        var registration = ConsulRegistrations.Agent("node-1", "host-1", capacity, Serving, Options);

        Assert.Empty(registration.Validate());
        Assert.Equal(ClusterServices.Agent, registration.Name);
        Assert.Equal("node-1", registration.Id);
        Assert.Null(registration.Address);
        Assert.Equal(["gpus=2", "serving=true"], registration.Tags);
        Assert.Equal("8", registration.Meta["cpu_cores"]);
        Assert.Equal("32000", registration.Meta["memory_mb"]);
        Assert.Equal("2", registration.Meta["gpus"]);
        Assert.Equal("host-1", registration.Meta["host"]);
        Assert.Equal("http://10.0.0.7:8001", registration.Meta[ClusterServices.GrpcAddressMeta]);
        Assert.Equal("http://10.0.0.7:8000", registration.Meta[ClusterServices.RestAddressMeta]);
        var check = Assert.Single(registration.Checks);
        Assert.Equal("node-1:ttl", check.CheckId);
        Assert.Equal(TimeSpan.FromSeconds(6), check.Ttl);
        Assert.Equal(CheckStatus.Passing, check.InitialStatus);
        Assert.Equal(TimeSpan.FromMinutes(3), check.DeregisterCriticalServiceAfter);
    }

    [Fact]
    public void Agent_NotServing_NoAddressesAndServingFalse()
    {
        var registration = ConsulRegistrations.Agent("node-1", "host-1", new AgentCapacity { CpuCores = 2 }, null, Options);

        Assert.Equal(["gpus=0", "serving=false"], registration.Tags);
        Assert.False(registration.Meta.ContainsKey(ClusterServices.GrpcAddressMeta));
        Assert.False(registration.Meta.ContainsKey(ClusterServices.RestAddressMeta));
    }

    [Fact]
    public void Model_ReadyVersion_AtTheGrpcEndpointTaggedWithModelAndVersion()
    {
        var registration = ConsulRegistrations.Model("node-1", new ReadyVersion("fashion", "3"), Serving, Options)!;

        Assert.Empty(registration.Validate());
        Assert.Equal(ClusterServices.Model, registration.Name);
        Assert.Equal("node-1-fashion-3", registration.Id);
        Assert.Equal("10.0.0.7", registration.Address);
        Assert.Equal(8001, registration.Port);
        Assert.Equal(["model=fashion", "version=3", "agent=node-1"], registration.Tags);
        Assert.Equal("http://10.0.0.7:8000", registration.Meta[ClusterServices.RestAddressMeta]);
        Assert.Equal("node-1", registration.Meta[ClusterServices.AgentIdMeta]);
        var check = Assert.Single(registration.Checks);
        Assert.Equal("node-1-fashion-3:ttl", check.CheckId);
        Assert.Equal(CheckStatus.Passing, check.InitialStatus);
    }

    [Fact]
    public void Model_Ipv6Endpoint_AddressWithoutBrackets()
    {
        var registration = ConsulRegistrations.Model("n", new ReadyVersion("m", "1"), new ServingAddresses { GrpcAddress = "http://[::1]:9001" }, Options)!;

        Assert.Equal("::1", registration.Address);
        Assert.Equal(9001, registration.Port);
    }

    [Fact]
    public void Model_NoGrpcEndpoint_NotRegistered()
    {
        Assert.Null(ConsulRegistrations.Model("n", new ReadyVersion("m", "1"), new ServingAddresses { RestAddress = "http://h:8000" }, Options));
        Assert.Null(ConsulRegistrations.Model("n", new ReadyVersion("m", "1"), null, Options));
    }
}
