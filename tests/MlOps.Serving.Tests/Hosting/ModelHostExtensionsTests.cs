using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Repository;
using MlOps.Serving.Models;

namespace MlOps.Serving.Tests.Hosting;

public sealed class ModelHostExtensionsTests
{
    [Fact]
    public async Task AddModelHost_Configuration_BoundIntoImmutableOptionsAndRepositoryShared()
    {
        await using var provider = Build(new Dictionary<string, string?>
        {
            ["Serving:Host:IntraOpThreads"] = "3",
            ["Serving:Host:AllowSpinning"] = "false",
            ["Serving:Host:ExecutionProvider"] = "Cpu",
            ["Serving:Host:Batching:MaxBatchSize"] = "32",
            ["Serving:Host:Batching:MaxQueueDelay"] = "00:00:00.0005",
            ["Serving:Host:Batching:PreferredBatchSizes:0"] = "8",
            ["Serving:Host:Batching:PreferredBatchSizes:1"] = "16",
            ["Serving:Host:Batching:MaxQueueSize"] = "100",
        });

        var options = provider.GetRequiredService<IOptions<OnnxModelVersionOptions>>().Value;

        Assert.Equal((3, false, ExecutionProviderPreference.Cpu), (options.IntraOpThreads, options.AllowSpinning, options.ExecutionProvider));
        Assert.Equal((32, TimeSpan.FromMilliseconds(0.5), 100), (options.Batching.MaxBatchSize, options.Batching.MaxQueueDelay, options.Batching.MaxQueueSize));
        Assert.Equal([8, 16], options.Batching.PreferredBatchSizes);
        Assert.Same(provider.GetRequiredService<ModelRepository>(), provider.GetRequiredService<IModelRepository>());
    }

    [Fact]
    public async Task AddModelHost_InvalidConfiguration_EveryErrorListed()
    {
        await using var provider = Build(new Dictionary<string, string?>
        {
            ["Serving:Host:IntraOpThreads"] = "-2",
            ["Serving:Host:Batching:MaxBatchSize"] = "0",
            ["Serving:Host:Batching:MaxQueueSize"] = "0",
        });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<OnnxModelVersionOptions>>().Value);

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("Serving:Host:Batching.MaxBatchSize"));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddModelHost();
        return services.BuildServiceProvider();
    }
}
