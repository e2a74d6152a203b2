using MlOps.Coordinator.Configuration;

namespace MlOps.Coordinator.Tests.Configuration;

public sealed class CoordinatorConsulOptionsTests
{
    [Fact]
    public void Validate_ConsulOff_ItsSettingsAreNotChecked()
    {
        var options = new CoordinatorOptions { Consul = new CoordinatorConsulOptions { SilenceBeforeLoss = TimeSpan.Zero, WaitTime = TimeSpan.Zero } };

        Assert.True(new CoordinatorOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_ConsulOnWithBadValues_ListsEveryOne()
    {
        var options = new CoordinatorOptions
        {
            Consul = new CoordinatorConsulOptions
            {
                Address = "http://127.0.0.1:8500",
                SilenceBeforeLoss = TimeSpan.FromSeconds(1), // under the 5 s heartbeat interval
                WaitTime = TimeSpan.FromMinutes(11),
            },
        };

        var result = new CoordinatorOptionsValidator().Validate(null, options);

        Assert.False(result.Succeeded);
        var failures = result.Failures!.ToList();
        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("Coordinator:Consul:SilenceBeforeLoss", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Coordinator:Consul:WaitTime", StringComparison.Ordinal));
    }

    [Fact]
    public void ConsulSilenceBeforeLoss_Unset_TwoHeartbeatIntervals()
    {
        var options = new CoordinatorOptions { HeartbeatInterval = TimeSpan.FromSeconds(3) };

        Assert.Equal(TimeSpan.FromSeconds(6), options.ConsulSilenceBeforeLoss);
        options.Consul.SilenceBeforeLoss = TimeSpan.FromSeconds(4);
        Assert.Equal(TimeSpan.FromSeconds(4), options.ConsulSilenceBeforeLoss);
    }
}
