using MlOps.Core.Jobs;

namespace MlOps.Core.Tests.Jobs;

public sealed class MetricNamesTests
{
    [Theory]
    [InlineData("seconds_per_epoch", true)]
    [InlineData("samples_per_second", true)]
    [InlineData("export_seconds", true)]
    [InlineData("test_accuracy", false)]
    [InlineData("learning_rate", false)]
    [InlineData("train_loss", false)]
    public void IsTiming_KnownNames_SeparatesMachineFromModel(string metric, bool timing)
    {
        Assert.Equal(timing, MetricNames.IsTiming(metric));
    }
}
