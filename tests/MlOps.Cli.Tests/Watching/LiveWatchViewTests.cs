using MlOps.Cli.Tests.Fakes;
using MlOps.Cli.Watching;
using MlOps.Contracts;
using Spectre.Console;

namespace MlOps.Cli.Tests.Watching;

/// <summary>The terminal view, on an interactive ANSI console that writes into a string.</summary>
public sealed class LiveWatchViewTests
{
    [Fact]
    public async Task RunAsync_Events_PrintsLinesAboveTheBarAndReturnsTheFollowersJob()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes,
            ColorSystem = ColorSystemSupport.Standard,
            Interactive = InteractionSupport.Yes,
            Out = new AnsiConsoleOutput(output),
        });
        var job = new Job { Id = "job-a", Spec = new JobSpec { Name = "mnist" }, State = JobState.Queued };
        var view = new LiveWatchView(console, job);

        var final = await view.RunAsync(sink =>
        {
            foreach (var jobEvent in JobEvents.SuccessfulRun("job-a"))
            {
                sink.OnEvent(jobEvent);
            }

            sink.OnReconnecting("stream broke", TimeSpan.FromSeconds(1), 7);
            return Task.FromResult(new Job { Id = "job-a", State = JobState.Succeeded });
        });

        Assert.Equal(JobState.Succeeded, final.State);
        var text = output.ToString();
        Assert.Contains("[stdout] loading fashion-mnist", text, StringComparison.Ordinal);
        Assert.Contains("state RUNNING -> SUCCEEDED", text, StringComparison.Ordinal);
        Assert.Contains("watching job job-a (mnist)", text, StringComparison.Ordinal);
        Assert.Contains("epoch 2/2 step 100/100", text, StringComparison.Ordinal);
        Assert.Contains("100%", text, StringComparison.Ordinal);
        Assert.Contains("reconnecting in 1.0 s", text, StringComparison.Ordinal);
    }
}
