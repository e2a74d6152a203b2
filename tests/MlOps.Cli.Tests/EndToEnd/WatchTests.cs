using System.Text.Json;
using MlOps.Cli.Tests.Fakes;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.EndToEnd;

/// <summary><c>watch</c> over a real gRPC stream from the fake coordinator: lines, JSON, exit codes, resume.</summary>
[Trait("Category", "Integration")]
public sealed class WatchTests : IAsyncLifetime
{
    private FakeCoordinatorForCliTests _server = null!;

    public async Task InitializeAsync() => _server = await FakeCoordinatorForCliTests.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Watch_SucceededJob_PrintsEveryEventThenFinalStateAndTestAccuracy()
    {
        JobEvents.Succeed(_server.Jobs.AddJob("job-a", JobState.Succeeded, events: JobEvents.SuccessfulRun("job-a")));

        var result = await CliRun.RunAsync("watch", "job-a", "--coordinator", _server.Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        var lines = result.OutLines;
        Assert.Matches(@"^\d\d:\d\d:\d\d state QUEUED -> ASSIGNED \(attempt 1, agent local\)$", lines[0]);
        Assert.EndsWith(" [stdout] loading fashion-mnist", lines[2], StringComparison.Ordinal);
        Assert.EndsWith(" epoch 2/2 step 100/100 loss 0.4200 accuracy 0.8500 1500 samples/s", lines[4], StringComparison.Ordinal);
        Assert.EndsWith(" metrics final: test_accuracy=0.9123 test_loss=0.2500", lines[5], StringComparison.Ordinal);
        Assert.EndsWith(" state RUNNING -> SUCCEEDED (attempt 1, agent local)", lines[6], StringComparison.Ordinal);
        Assert.Equal("state: SUCCEEDED", lines[7]);
        Assert.Equal("test_accuracy: 0.9123", lines[8]);
        Assert.Equal("test_loss: 0.2500", lines[9]);
        Assert.Contains("weights_sha256: sha256:" + new string('a', 64), lines);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Watch_FailedJob_ExitsOneAndPrintsTheReason()
    {
        var job = _server.Jobs.AddJob("job-f", JobState.Failed, events:
        [
            JobEvents.State("job-f", 1, JobState.Queued, JobState.Assigned),
            JobEvents.State("job-f", 2, JobState.Assigned, JobState.Failed, "trainer exited with code 3"),
        ]);
        job.FailureReason = "trainer exited with code 3";

        var result = await CliRun.RunAsync("watch", "job-f", "--coordinator", _server.Address);

        Assert.Equal(ExitCodes.JobFailed, result.ExitCode);
        Assert.Equal(["state: FAILED", "reason: trainer exited with code 3"], result.OutLines[^2..]);
        Assert.DoesNotContain(result.OutLines, l => l.StartsWith("test_accuracy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Watch_CancelledJob_ExitsOne()
    {
        _server.Jobs.AddJob("job-c", JobState.Cancelled, events: [JobEvents.State("job-c", 1, JobState.Queued, JobState.Cancelled)]);

        var result = await CliRun.RunAsync("watch", "job-c", "--coordinator", _server.Address);

        Assert.Equal(ExitCodes.JobFailed, result.ExitCode);
        Assert.Equal("state: CANCELLED", result.OutLines[^1]);
    }

    [Fact]
    public async Task Watch_StreamBreaks_ResumesAfterTheLastSeqWithoutRepeatingEvents()
    {
        JobEvents.Succeed(_server.Jobs.AddJob("job-a", JobState.Succeeded, events: JobEvents.SuccessfulRun("job-a")));
        _server.Jobs.BreakFirstStreamAfterSeq = 3;

        var result = await CliRun.RunAsync("watch", "job-a", "--coordinator", _server.Address);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal([0L, 3L], _server.Jobs.Watched.Select(r => r.FromSeq));
        Assert.Single(result.OutLines, l => l.EndsWith("loading fashion-mnist", StringComparison.Ordinal));
        Assert.Equal(7 + 6, result.OutLines.Length); // seven events, six lines of final report
        Assert.Contains("reconnecting", result.Error, StringComparison.Ordinal);
        Assert.Contains("scripted stream break", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_FromSeq_StartsAfterIt()
    {
        JobEvents.Succeed(_server.Jobs.AddJob("job-a", JobState.Succeeded, events: JobEvents.SuccessfulRun("job-a")));

        var result = await CliRun.RunAsync("watch", "job-a", "--from-seq", "5", "--coordinator", _server.Address);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(5L, Assert.Single(_server.Jobs.Watched).FromSeq);
        Assert.Contains("metrics final", result.OutLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_JsonOutput_PrintsOneEventPerLineThenTheFinalJob()
    {
        JobEvents.Succeed(_server.Jobs.AddJob("job-a", JobState.Succeeded, events: JobEvents.SuccessfulRun("job-a")));

        var result = await CliRun.RunAsync("watch", "job-a", "--output", "json", "--coordinator", _server.Address);

        Assert.Equal(0, result.ExitCode);
        var lines = result.OutLines;
        Assert.Equal(8, lines.Length);
        for (var i = 0; i < 7; i++)
        {
            using var jobEvent = JsonDocument.Parse(lines[i]);
            Assert.Equal("job-a", jobEvent.RootElement.GetProperty("jobId").GetString());
            Assert.Equal((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), jobEvent.RootElement.GetProperty("seq").GetString());
        }

        using var progress = JsonDocument.Parse(lines[3]);
        Assert.Equal(0.78, progress.RootElement.GetProperty("progress").GetProperty("accuracy").GetDouble());
        using var final = JsonDocument.Parse(lines[7]);
        Assert.Equal("JOB_STATE_SUCCEEDED", final.RootElement.GetProperty("state").GetString());
        Assert.Equal(0.9123, final.RootElement.GetProperty("result").GetProperty("metrics").GetProperty("test_accuracy").GetDouble());
    }

    [Fact]
    public async Task Watch_UnknownJob_ExitsThree()
    {
        var result = await CliRun.RunAsync("watch", "nope", "--coordinator", _server.Address);

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Empty(_server.Jobs.Watched);
    }

    [Fact]
    public async Task Watch_CoordinatorDown_ExitsFour()
    {
        var address = _server.Address;
        await _server.DisposeAsync();
        _server = await FakeCoordinatorForCliTests.StartAsync();

        var result = await CliRun.RunAsync("watch", "job-a", "--coordinator", address);

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.Contains("cannot reach the coordinator at " + address, result.Error, StringComparison.Ordinal);
    }
}
