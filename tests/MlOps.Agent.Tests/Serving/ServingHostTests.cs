using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlOps.Agent.Serving;
using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Batching;

namespace MlOps.Agent.Tests.Serving;

public class ServingHostTests
{
    private static OnnxModelVersionOptions Resolve(Dictionary<string, string?> agentSettings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(agentSettings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        ServingHost.AddModelHost(services, configuration);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<OnnxModelVersionOptions>>().Value;
    }

    [Fact]
    public void AddModelHost_AgentHostSection_SetsTheModelHostOptions()
    {
        var options = Resolve(new()
        {
            ["Agent:Serving:Host:AllowSpinning"] = "true",
            ["Agent:Serving:Host:IntraOpThreads"] = "1",
            ["Agent:Serving:Host:Batching:MaxBatchSize"] = "16",
        });

        Assert.True(options.AllowSpinning);
        Assert.Equal(1, options.IntraOpThreads);
        Assert.Equal(16, options.Batching.MaxBatchSize);
    }

    [Fact]
    public void AddModelHost_NoAgentHostSection_HostDefaults()
    {
        var options = Resolve([]);

        Assert.False(options.AllowSpinning);
        Assert.Equal(0, options.IntraOpThreads);
        Assert.Equal(new DynamicBatcherOptions().MaxBatchSize, options.Batching.MaxBatchSize);
    }
}
