using MlOps.Cli.Reproducing;

namespace MlOps.Cli.Tests.Reproducing;

public sealed class ReproductionCheckTests
{
    private const string Dataset = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private const string Onnx = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    private const string OtherOnnx = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

    private static readonly Dictionary<string, double> Recorded = new()
    {
        ["test_accuracy"] = 0.8857,
        ["test_loss"] = 0.3123456789,
        ["train_seconds"] = 12.5,
        ["samples_per_second"] = 4800,
    };

    [Fact]
    public void Compare_IdenticalRunWithOtherTimings_MatchesAndIgnoresTimings()
    {
        var reproduced = new Dictionary<string, double>(Recorded) { ["train_seconds"] = 13.9, ["samples_per_second"] = 4100 };

        var rows = ReproductionCheck.Compare(Dataset, Dataset, Onnx, Onnx, Recorded, reproduced);

        Assert.True(ReproductionCheck.Matches(rows));
        Assert.Equal(["dataset_digest", "onnx_digest", "test_accuracy", "samples_per_second", "test_loss", "train_seconds"], rows.Select(r => r.Name));
        Assert.Equal(CheckOutcome.Ignored, rows.Single(r => r.Name == "train_seconds").Outcome);
        Assert.Equal(CheckOutcome.Ignored, rows.Single(r => r.Name == "samples_per_second").Outcome);
        Assert.Equal(CheckOutcome.Match, rows.Single(r => r.Name == "test_loss").Outcome);
    }

    [Fact]
    public void Compare_LastBitOfALossDiffers_Differs()
    {
        var reproduced = new Dictionary<string, double>(Recorded) { ["test_loss"] = Math.BitIncrement(0.3123456789) };

        var rows = ReproductionCheck.Compare(Dataset, Dataset, Onnx, Onnx, Recorded, reproduced);

        Assert.False(ReproductionCheck.Matches(rows));
        Assert.Equal(CheckOutcome.Differ, rows.Single(r => r.Name == "test_loss").Outcome);
    }

    [Fact]
    public void Compare_OtherOnnxDigest_Differs()
    {
        var rows = ReproductionCheck.Compare(Dataset, Dataset, Onnx, OtherOnnx, Recorded, Recorded);

        Assert.False(ReproductionCheck.Matches(rows));
        var onnx = rows.Single(r => r.Name == "onnx_digest");
        Assert.Equal((Onnx, OtherOnnx, CheckOutcome.Differ), (onnx.RecordedText, onnx.ReproducedText, onnx.Outcome));
    }

    [Fact]
    public void Compare_MissingValuesOnEitherSide_Differ()
    {
        var reproduced = new Dictionary<string, double>(Recorded) { ["new_metric"] = 1 };
        reproduced.Remove("test_accuracy");

        var rows = ReproductionCheck.Compare(Dataset, "", "", "", Recorded, reproduced);

        Assert.All(rows.Where(r => r.Name is "dataset_digest" or "onnx_digest" or "test_accuracy" or "new_metric"),
            row => Assert.Equal(CheckOutcome.Differ, row.Outcome));
        Assert.Null(rows.Single(r => r.Name == "test_accuracy").Reproduced);
        Assert.Null(rows.Single(r => r.Name == "new_metric").Recorded);
    }

    [Theory]
    [InlineData("seconds_per_epoch", true)]
    [InlineData("samples_per_second", true)]
    [InlineData("epoch_seconds", true)]
    [InlineData("train_seconds", true)]
    [InlineData("export_seconds", true)]
    [InlineData("batches_per_second", true)]
    [InlineData("test_accuracy", false)]
    [InlineData("test_loss", false)]
    [InlineData("learning_rate", false)]
    [InlineData("seconds", false)]
    public void IsTiming_KnowsWallClockMetrics(string metric, bool timing)
    {
        Assert.Equal(timing, ReproductionCheck.IsTiming(metric));
    }
}
