using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Pipelines;

/// <summary>How pipeline runs and their steps read on a terminal.</summary>
internal static class PipelineText
{
    public static string State(PipelineRunState state) => state switch
    {
        PipelineRunState.Running => "RUNNING",
        PipelineRunState.Succeeded => "SUCCEEDED",
        PipelineRunState.Failed => "FAILED",
        PipelineRunState.Cancelled => "CANCELLED",
        _ => "UNKNOWN",
    };

    public static string State(PipelineStepState state) => state switch
    {
        PipelineStepState.Pending => "PENDING",
        PipelineStepState.Running => "RUNNING",
        PipelineStepState.Succeeded => "SUCCEEDED",
        PipelineStepState.Cached => "CACHED",
        PipelineStepState.Failed => "FAILED",
        PipelineStepState.Skipped => "SKIPPED",
        PipelineStepState.Cancelled => "CANCELLED",
        _ => "UNKNOWN",
    };

    public static bool IsFinished(PipelineRunState state) => state is not (PipelineRunState.Running or PipelineRunState.Unspecified);

    /// <summary>0 for SUCCEEDED, 1 for anything else once finished (FAILED, CANCELLED).</summary>
    public static int ExitCode(PipelineRun run) => run.State == PipelineRunState.Succeeded ? ExitCodes.Ok : ExitCodes.JobFailed;

    /// <summary><c>4/5 steps done (2 cached)</c>.</summary>
    public static string Progress(PipelineRun run)
    {
        var done = run.Steps.Count(s => s.State is PipelineStepState.Succeeded or PipelineStepState.Cached);
        var cached = run.Steps.Count(s => s.State == PipelineStepState.Cached);
        var text = $"{done.ToString(CultureInfo.InvariantCulture)}/{run.Steps.Count.ToString(CultureInfo.InvariantCulture)} steps done";
        return cached > 0 ? $"{text} ({cached.ToString(CultureInfo.InvariantCulture)} cached)" : text;
    }

    /// <summary><c>0.4 s</c>, <c>2m05s</c>, <c>1h02m</c>; a running step counts to <paramref name="now"/>; <c>-</c> when it has not started.</summary>
    public static string Duration(Timestamp? started, Timestamp? finished, DateTimeOffset now)
    {
        if (started is null)
        {
            return Display.None;
        }

        var length = (finished?.ToDateTimeOffset() ?? now) - started.ToDateTimeOffset();
        if (length < TimeSpan.Zero)
        {
            length = TimeSpan.Zero;
        }

        return length.TotalSeconds switch
        {
            < 60 => Display.Seconds(length.TotalSeconds),
            < 3600 => $"{(int)length.TotalMinutes}m{length.Seconds:00}s",
            _ => $"{(int)length.TotalHours}h{length.Minutes:00}m",
        };
    }

    /// <summary><c>model=model:tiny@3 (sha256:0123456789ab)</c>, one per output, joined.</summary>
    public static string Artifacts(IEnumerable<PipelineArtifact> artifacts)
    {
        var text = string.Join(", ", artifacts.Select(a => $"{a.Name}={a.Reference} ({Display.ShortDigest(a.Digest)})"));
        return text.Length > 0 ? text : Display.None;
    }

    /// <summary>The error, else the reason, else the warning.</summary>
    public static string Note(PipelineStepRun step) =>
        step.Error.Length > 0 ? step.Error
        : step.Reason.Length > 0 ? step.Reason
        : step.Warning.Length > 0 ? "warning: " + step.Warning
        : "";

    public static TextTable Steps(PipelineRun run, DateTimeOffset now)
    {
        var table = new TextTable("step", "kind", "state", "duration", "outputs", "job", "error/reason");
        foreach (var step in run.Steps)
        {
            table.AddRow(step.Name, step.Kind, State(step.State), Duration(step.StartedAt, step.FinishedAt, now), Artifacts(step.Outputs),
                step.JobId.Length > 0 ? step.JobId : Display.None, Note(step));
        }

        return table;
    }

    public static TextTable Runs(IEnumerable<PipelineRun> runs, DateTimeOffset now)
    {
        var table = new TextTable("id", "pipeline", "state", "steps", "owner", "started", "duration");
        foreach (var run in runs)
        {
            table.AddRow(run.Id, run.Pipeline, State(run.State), Progress(run), run.Owner.Length > 0 ? run.Owner : Display.None,
                Display.Ago(run.CreatedAt, now), Duration(run.CreatedAt, run.FinishedAt, now));
        }

        return table;
    }

    /// <summary>The run's header lines.</summary>
    public static void Describe(PipelineRun run, TextWriter output, DateTimeOffset now)
    {
        var lines = new KeyValueWriter()
            .Add("run", run.Id)
            .Add("pipeline", run.Pipeline)
            .Add("state", State(run.State))
            .Add("steps", Progress(run))
            .AddIfSet("owner", run.Owner)
            .Add("started", Display.Time(run.CreatedAt))
            .Add("finished", Display.Time(run.FinishedAt))
            .Add("duration", Duration(run.CreatedAt, run.FinishedAt, now));
        if (run.Parameters.Count > 0)
        {
            lines.Add("parameters", string.Join(", ", run.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
        }

        if (run.NoCache)
        {
            lines.Add("cache", "not read (--no-cache)");
        }

        lines.AddIfSet("error", run.Error);
        lines.Write(output);
    }

    /// <summary>One line for a step that changed: <c>12:00:03 train      SUCCEEDED 41.2 s model=model:tiny@3 (...)</c>.</summary>
    public static string Change(PipelineStepRun step, DateTimeOffset now)
    {
        var detail = step.State switch
        {
            PipelineStepState.Running => step.JobId.Length > 0 ? $"job {step.JobId}" : "",
            PipelineStepState.Succeeded or PipelineStepState.Cached => $"{Duration(step.StartedAt, step.FinishedAt, now)} {Artifacts(step.Outputs)}",
            _ => Note(step),
        };
        var at = step.FinishedAt ?? step.StartedAt;
        return $"{Display.Clock(at)} {step.Name} {State(step.State)} {detail}".TrimEnd();
    }
}
