using MlOps.Contracts;

namespace MlOps.Training.Tests.Training;

public sealed class LearningRatesTests
{
    [Fact]
    public void ForEpoch_Constant_IsTheBaseRateEveryEpoch()
    {
        var hp = new HyperParameters { LearningRate = 0.01, Epochs = 5 };

        Assert.All(Enumerable.Range(1, 5), e => Assert.Equal(0.01, LearningRates.ForEpoch(hp, e)));
    }

    [Fact]
    public void ForEpoch_Cosine_StartsAtBaseFallsMonotonicallyStaysPositive()
    {
        var hp = new HyperParameters { LearningRate = 0.01, Epochs = 10, LrSchedule = LearningRateSchedule.Cosine };

        var rates = Enumerable.Range(1, 10).Select(e => LearningRates.ForEpoch(hp, e)).ToList();

        Assert.Equal(0.01, rates[0], 12);
        Assert.Equal(0.005, rates[5], 12);
        Assert.All(rates.Zip(rates.Skip(1)), pair => Assert.True(pair.Second < pair.First));
        Assert.True(rates[^1] > 0);
    }
}
