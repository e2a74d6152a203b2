using Google.Protobuf.WellKnownTypes;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Output;

public sealed class DisplayTests
{
    [Theory]
    [InlineData(1, 2, 0, 100, 0.0)]
    [InlineData(1, 2, 50, 100, 0.25)]
    [InlineData(2, 2, 100, 100, 1.0)]
    [InlineData(3, 4, 0, 0, 0.75)]
    [InlineData(9, 4, 100, 100, 1.0)]
    [InlineData(1, 0, 10, 100, 0.0)]
    public void Fraction_EpochAndStep_IsTheShareOfTheWholeRun(int epoch, int epochs, long step, long steps, double expected)
    {
        var progress = new TrainingProgress { Epoch = epoch, Epochs = epochs, Step = step, StepsPerEpoch = steps };

        Assert.Equal(expected, Display.Fraction(progress), precision: 6);
    }

    [Theory]
    [InlineData(0.5, "just now")]
    [InlineData(42, "42s ago")]
    [InlineData(600, "10m ago")]
    [InlineData(3 * 3600, "3h ago")]
    [InlineData(5 * 86400, "5d ago")]
    public void Ago_Age_IsShortAndHuman(double seconds, string expected)
    {
        var now = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(expected, Display.Ago(Timestamp.FromDateTimeOffset(now.AddSeconds(-seconds)), now));
    }

    [Fact]
    public void Progress_UnknownStepsAndThroughput_AreLeftOut()
    {
        var text = Display.Progress(new TrainingProgress { Epoch = 1, Epochs = 3, Loss = 1.23456, Accuracy = 0.5 });

        Assert.Equal("epoch 1/3 loss 1.2346 accuracy 0.5000", text);
    }

    [Theory]
    [InlineData(512, "512 MB")]
    [InlineData(10240, "10 GB")]
    [InlineData(131072, "128 GB")]
    public void Memory_LargeValues_AreInGigabytes(long megabytes, string expected)
    {
        Assert.Equal(expected, Display.Memory(megabytes));
    }
}
