using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Scheduling;

namespace MlOps.Coordinator.Tests.Configuration;

public sealed class SchedulingOptionsTests
{
    [Fact]
    public void Validate_EveryBadSetting_ListedAtOnce()
    {
        var options = new SchedulingOptions
        {
            Policy = "round-robin",
            TeamGpuQuotas = new Dictionary<string, int> { ["vision"] = -1 },
            AgingInterval = TimeSpan.FromMinutes(-1),
            MaxAgingBoost = -5,
        };

        var result = new SchedulingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(4, result.Failures!.Count());
        Assert.Contains(result.Failures!, f => f.Contains("Scheduling:TeamGpuQuotas:vision", StringComparison.Ordinal));
    }

    [Fact]
    public void CreatePolicy_DefaultsToFairShare_BestFitOnRequest()
    {
        Assert.Equal("fair-share/v2", new SchedulingOptions().CreatePolicy().Name);
        Assert.IsType<IndexedBestFitPlacementPolicy>(new SchedulingOptions { Policy = "best-fit" }.CreatePolicy());
    }
}
