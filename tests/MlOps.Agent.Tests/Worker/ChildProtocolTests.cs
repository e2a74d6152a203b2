using MlOps.Agent.Worker;
using MlOps.Contracts;

namespace MlOps.Agent.Tests.Worker;

public sealed class ChildProtocolTests
{
    [Fact]
    public void Parse_ProgressLine_RoundTrips()
    {
        var progress = new TrainingProgress { Epoch = 2, Epochs = 5, Step = 40, StepsPerEpoch = 100, Loss = 0.5, Accuracy = 0.8, SamplesPerSecond = 1234.5 };

        var parsed = ChildProtocol.Parse(ChildProtocol.Progress(progress));

        Assert.Equal(progress, parsed);
    }

    [Fact]
    public void Parse_ResultLine_KeepsMetricsAndDigest()
    {
        var result = new JobResult { WeightsUri = "/tmp/w.dat", WeightsSha256 = "sha256:" + new string('a', 64), WeightsBytes = 10 };
        result.Metrics["test_accuracy"] = 0.91;

        var parsed = Assert.IsType<JobResult>(ChildProtocol.Parse(ChildProtocol.Result(result)));

        Assert.Equal(0.91, parsed.Metrics["test_accuracy"]);
        Assert.Equal(result.WeightsSha256, parsed.WeightsSha256);
    }

    [Fact]
    public void Parse_CheckpointLine_RoundTrips()
    {
        var checkpoint = new LocalCheckpoint
        {
            Path = "/data/jobs/j-1/attempt-2/checkpoints/checkpoint-000000040.ckpt",
            Epoch = 3,
            Step = 7,
            GlobalStep = 40,
            Bytes = 123456,
            Digest = "sha256:" + new string('c', 64),
        };

        var line = ChildProtocol.Checkpoint(checkpoint);

        Assert.StartsWith("@@mlops checkpoint {", line);
        Assert.Equal(checkpoint, ChildProtocol.Parse(line));
    }

    [Fact]
    public void Parse_CheckpointLineAtStepZero_KeepsZeroFields()
    {
        var checkpoint = new LocalCheckpoint { Path = "/c.ckpt", Epoch = 1, Digest = "sha256:" + new string('0', 64) };

        var parsed = Assert.IsType<LocalCheckpoint>(ChildProtocol.Parse(ChildProtocol.Checkpoint(checkpoint)));

        Assert.Equal(0, parsed.GlobalStep);
        Assert.Equal(1, parsed.Epoch);
    }

    [Theory]
    [InlineData("plain log line")]
    [InlineData("@@mlops progress {not json")]
    [InlineData("@@mlops unknown {}")]
    [InlineData("@@mlops checkpoint {\"epoch\": \"not a number\"}")]
    [InlineData("@@mlops")]
    public void Parse_OrdinaryOrBrokenLine_IsALogLine(string line)
    {
        Assert.Null(ChildProtocol.Parse(line));
    }

    [Theory]
    [InlineData(2500, "lease 2500")]
    [InlineData(-5, "lease 0")]
    public void Lease_FormatsWholeMillisecondsAndParsesBack(int milliseconds, string expected)
    {
        var line = ChildProtocol.Lease(TimeSpan.FromMilliseconds(milliseconds));

        Assert.Equal(expected, line);
        Assert.Equal(Math.Max(0, milliseconds), ChildProtocol.ParseLease(line));
    }

    [Theory]
    [InlineData("lease")]
    [InlineData("lease -3")]
    [InlineData("lease 1.5")]
    [InlineData("leases 100")]
    [InlineData("cancel")]
    public void ParseLease_OtherLines_Null(string line)
    {
        Assert.Null(ChildProtocol.ParseLease(line));
    }
}
