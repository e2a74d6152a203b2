using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Watching;

/// <summary>The one-line text of a job event, as <c>watch</c> prints it: <c>HH:mm:ss what</c>.</summary>
internal static class EventText
{
    /// <summary>The line for <paramref name="jobEvent"/>, or null for an event with no payload (a newer server's kind).</summary>
    public static string? Format(JobEvent jobEvent)
    {
        var body = Body(jobEvent);
        return body is null ? null : $"{Display.Clock(jobEvent.Time ?? jobEvent.Log?.Time)} {body}";
    }

    public static string? Body(JobEvent jobEvent) => jobEvent.PayloadCase switch
    {
        JobEvent.PayloadOneofCase.StateChange => StateChange(jobEvent.StateChange),
        JobEvent.PayloadOneofCase.Log => $"[{LogStreamName(jobEvent.Log.Stream)}] {jobEvent.Log.Text.TrimEnd('\r', '\n')}",
        JobEvent.PayloadOneofCase.Progress => Display.Progress(jobEvent.Progress),
        JobEvent.PayloadOneofCase.Metrics => Metrics(jobEvent.Metrics),
        _ => null,
    };

    /// <summary><c>state QUEUED -> ASSIGNED (attempt 1, agent local): reason</c>; a new job's first is just <c>state QUEUED</c>.</summary>
    public static string StateChange(StateChange change)
    {
        var text = change.From == JobState.Unspecified
            ? $"state {Display.State(change.To)}"
            : $"state {Display.State(change.From)} -> {Display.State(change.To)}";
        var where = new List<string>();
        if (change.Attempt > 0)
        {
            where.Add("attempt " + Display.Integer(change.Attempt));
        }

        if (!string.IsNullOrEmpty(change.AgentId))
        {
            where.Add("agent " + change.AgentId);
        }

        if (where.Count > 0)
        {
            text += $" ({string.Join(", ", where)})";
        }

        return string.IsNullOrEmpty(change.Reason) ? text : $"{text}: {change.Reason}";
    }

    /// <summary><c>metrics epoch 2: accuracy=0.8123 loss=0.5012</c>, or <c>metrics final: ...</c>.</summary>
    public static string Metrics(MetricsReport report)
    {
        var label = report.Epoch == 0 ? "final" : "epoch " + Display.Integer(report.Epoch);
        var values = FinalReport.OrderedMetrics(report.Values).Select(m => $"{m.Name}={Display.Metric(m.Name, m.Value)}");
        return $"metrics {label}: {string.Join(' ', values)}";
    }

    private static string LogStreamName(LogStream stream) => stream switch
    {
        LogStream.Stdout => "stdout",
        LogStream.Stderr => "stderr",
        LogStream.System => "system",
        _ => "log",
    };
}
