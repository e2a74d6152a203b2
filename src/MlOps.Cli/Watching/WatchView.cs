using MlOps.Contracts;

namespace MlOps.Cli.Watching;

/// <summary>Receives a watched job's events as they arrive.</summary>
internal interface IWatchSink
{
    void OnEvent(JobEvent jobEvent);

    /// <summary>The stream broke while the job was still going; the follower waits <paramref name="delay"/> and resumes.</summary>
    void OnReconnecting(string reason, TimeSpan delay, long fromSeq);
}

/// <summary>
/// How <c>watch</c> shows a job. A view wraps the whole follow, because the live view must run it inside a
/// Spectre progress display; the line views just pass themselves in as the sink.
/// </summary>
internal abstract class WatchView : IWatchSink
{
    public virtual Task<Job> RunAsync(Func<IWatchSink, Task<Job>> follow) => follow(this);

    public abstract void OnEvent(JobEvent jobEvent);

    public abstract void OnReconnecting(string reason, TimeSpan delay, long fromSeq);

    protected static string ReconnectNote(string reason, TimeSpan delay, long fromSeq) =>
        $"watch: {reason}; reconnecting in {Output.Display.Seconds(delay.TotalSeconds)} after seq {Output.Display.Integer(fromSeq)}";
}

/// <summary>One human-readable line per event: for pipes, logs and CI.</summary>
internal sealed class PlainWatchView(TextWriter output, TextWriter error) : WatchView
{
    public override void OnEvent(JobEvent jobEvent)
    {
        if (EventText.Format(jobEvent) is { } line)
        {
            output.WriteLine(line);
        }
    }

    public override void OnReconnecting(string reason, TimeSpan delay, long fromSeq) =>
        error.WriteLine(ReconnectNote(reason, delay, fromSeq));
}

/// <summary>JSON Lines: one protobuf-JSON <see cref="JobEvent"/> per line; notes go to stderr.</summary>
internal sealed class JsonWatchView(TextWriter output, TextWriter error) : WatchView
{
    public override void OnEvent(JobEvent jobEvent) => output.WriteLine(Output.ProtoJson.Line(jobEvent));

    public override void OnReconnecting(string reason, TimeSpan delay, long fromSeq) =>
        error.WriteLine(ReconnectNote(reason, delay, fromSeq));
}

/// <summary>Shows no events, only reconnect notes on stderr: for commands that wait for a job without watching it.</summary>
internal sealed class QuietWatchView(TextWriter error) : WatchView
{
    public override void OnEvent(JobEvent jobEvent)
    {
    }

    public override void OnReconnecting(string reason, TimeSpan delay, long fromSeq) =>
        error.WriteLine(ReconnectNote(reason, delay, fromSeq));
}
