using MlOps.Cli.Output;
using MlOps.Contracts;
using Spectre.Console;

namespace MlOps.Cli.Watching;

/// <summary>
/// The terminal view: a live progress bar over the whole run (epochs and steps) whose description carries the
/// loss, accuracy and throughput; logs, metrics and state changes scroll above it as they come.
/// </summary>
internal sealed class LiveWatchView(IAnsiConsole console, Job job) : WatchView
{
    private ProgressTask? _task;

    public override Task<Job> RunAsync(Func<IWatchSink, Task<Job>> follow) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            // Bar first with a fixed width, so that a long description wraps instead of squeezing the bar out.
            .Columns(
                new ProgressBarColumn { Width = 24 },
                new PercentageColumn(),
                new TaskDescriptionColumn { Alignment = Justify.Left })
            .StartAsync(async context =>
            {
                console.Write(new Text($"watching job {job.Id} ({job.Spec?.Name}){Environment.NewLine}", new Style(decoration: Decoration.Bold)));
                _task = context.AddTask(Markup.Escape(Title(job.LastProgress)), maxValue: 100);
                if (job.LastProgress is { } progress)
                {
                    _task.Value = Display.Fraction(progress) * 100;
                }
                else
                {
                    _task.IsIndeterminate = true;
                }

                return await follow(this);
            });

    public override void OnEvent(JobEvent jobEvent)
    {
        switch (jobEvent.PayloadCase)
        {
            case JobEvent.PayloadOneofCase.Progress when _task is not null:
                _task.IsIndeterminate = false;
                _task.Value = Display.Fraction(jobEvent.Progress) * 100;
                _task.Description = Markup.Escape(Title(jobEvent.Progress));
                break;
            case JobEvent.PayloadOneofCase.StateChange:
                var to = Display.State(jobEvent.StateChange.To);
                console.Write(new Text(EventText.Format(jobEvent) + Environment.NewLine, Display.StyleOf(to)));
                if (Display.IsFinished(jobEvent.StateChange.To) && _task is not null)
                {
                    _task.IsIndeterminate = false;
                    _task.Value = jobEvent.StateChange.To == JobState.Succeeded ? _task.MaxValue : _task.Value;
                    _task.StopTask();
                }

                break;
            default:
                if (EventText.Format(jobEvent) is { } line)
                {
                    var style = jobEvent.Log?.Stream == LogStream.Stderr ? new Style(Color.Yellow) : Style.Plain;
                    console.Write(new Text(line + Environment.NewLine, style));
                }

                break;
        }
    }

    public override void OnReconnecting(string reason, TimeSpan delay, long fromSeq) =>
        console.Write(new Text(ReconnectNote(reason, delay, fromSeq) + Environment.NewLine, new Style(Color.Yellow)));

    private static string Title(TrainingProgress? progress) => progress is null ? "waiting for progress" : Display.Progress(progress);
}
