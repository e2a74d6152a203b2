using System.Globalization;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Retraining;

/// <summary>
/// How retraining policies, runs and decisions read on a terminal. A policy field the coordinator left at zero is
/// shown with the default retraining.proto gives it, marked <c>(default)</c>.
/// </summary>
internal static class RetrainingText
{
    // The defaults retraining.proto documents; the coordinator applies them, these only label what a zero means.
    private const int DefaultCanaryPercent = 10;
    private const double DefaultMaxCanaryAccuracyDrop = 0.02;
    private const string DefaultAlias = "production";
    private static readonly TimeSpan DefaultCanaryDuration = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan DefaultCooldown = TimeSpan.FromHours(1);

    public static string State(RetrainingRunState state) => state switch
    {
        RetrainingRunState.Training => "TRAINING",
        RetrainingRunState.Canary => "CANARY",
        RetrainingRunState.Promoted => "PROMOTED",
        RetrainingRunState.Rejected => "REJECTED",
        RetrainingRunState.RolledBack => "ROLLED_BACK",
        RetrainingRunState.Failed => "FAILED",
        _ => "UNKNOWN",
    };

    /// <summary>A run in one of these states changes no more.</summary>
    public static bool IsFinished(RetrainingRunState state) =>
        state is RetrainingRunState.Promoted or RetrainingRunState.Rejected or RetrainingRunState.RolledBack or RetrainingRunState.Failed;

    /// <summary><c>drift, accuracy &lt; 0.9, every 1d, new dataset version</c>, or <c>manual only</c>.</summary>
    public static string Triggers(RetrainingTriggers? triggers)
    {
        var parts = TriggerParts(triggers);
        return parts.Count == 0 ? "manual only" : string.Join(", ", parts);
    }

    /// <summary>Whether anything but <c>mlops retrain now</c> can start a run.</summary>
    public static bool AnyTrigger(RetrainingTriggers? triggers) => TriggerParts(triggers).Count > 0;

    private static List<string> TriggerParts(RetrainingTriggers? triggers)
    {
        var parts = new List<string>();
        if (triggers is not null)
        {
            if (triggers.OnDrift)
            {
                parts.Add("drift");
            }

            if (triggers.AccuracyBelow > 0)
            {
                parts.Add("accuracy < " + Number(triggers.AccuracyBelow));
            }

            if (triggers.Every is { } every && every.ToTimeSpan() > TimeSpan.Zero)
            {
                parts.Add("every " + DurationText.Format(every));
            }

            if (triggers.OnNewDatasetVersion)
            {
                parts.Add("new dataset version");
            }
        }

        return parts;
    }

    /// <summary><c>epochs=20 learning_rate=0.001 batch_size=128</c>: the overrides, or <c>production's</c>.</summary>
    public static string HyperParameters(HyperParameters? hyper)
    {
        var parts = new List<string>();
        if (hyper is not null)
        {
            AddIf(parts, hyper.Optimizer != Optimizer.Unspecified, "optimizer=" + hyper.Optimizer.ToString().ToLowerInvariant());
            AddIf(parts, hyper.Epochs > 0, "epochs=" + Display.Integer(hyper.Epochs));
            AddIf(parts, hyper.LearningRate > 0, "learning_rate=" + Number(hyper.LearningRate));
            AddIf(parts, hyper.BatchSize > 0, "batch_size=" + Display.Integer(hyper.BatchSize));
            AddIf(parts, hyper.Momentum > 0, "momentum=" + Number(hyper.Momentum));
            AddIf(parts, hyper.WeightDecay > 0, "weight_decay=" + Number(hyper.WeightDecay));
            AddIf(parts, hyper.LrSchedule != LearningRateSchedule.Unspecified, "lr_schedule=" + hyper.LrSchedule.ToString().ToLowerInvariant());
        }

        return parts.Count == 0 ? "production's" : string.Join(' ', parts);
    }

    // Each of these marks a value the coordinator's default supplies with " (default)", unless told not to (tables).

    public static string Deployment(RetrainingPolicy policy, bool mark = true) =>
        policy.Deployment is { Length: > 0 } name ? name : policy.Model + Mark(mark);

    public static string Canary(RetrainingPolicy policy, bool mark = true)
    {
        var percent = policy.CanaryPercent > 0 ? Display.Integer(policy.CanaryPercent) + "%" : Display.Integer(DefaultCanaryPercent) + "%" + Mark(mark);
        var duration = policy.CanaryDuration is { } given && given.ToTimeSpan() > TimeSpan.Zero
            ? DurationText.Format(given)
            : DurationText.Format(DefaultCanaryDuration) + Mark(mark);
        return $"{percent} for {duration}";
    }

    /// <summary>Unlike the canary's duration, a cooldown may be zero: only an absent one means the default.</summary>
    public static string Cooldown(RetrainingPolicy policy, bool mark = true) =>
        policy.Cooldown is { } cooldown ? DurationText.Format(cooldown) : DurationText.Format(DefaultCooldown) + Mark(mark);

    public static string Alias(RetrainingPolicy policy, bool mark = true) => policy.PromoteAlias is { Length: > 0 } alias ? alias : DefaultAlias + Mark(mark);

    public static void Describe(RetrainingPolicy policy, TextWriter writer) => new KeyValueWriter()
        .Add("model", policy.Model)
        .Add("deployment", Deployment(policy))
        .Add("triggers", Triggers(policy.Triggers) + (policy.Paused ? " (paused: only manual runs)" : ""))
        .Add("hyperparameters", HyperParameters(policy.HyperParameters))
        .Add("promote when", PromotionRule(policy))
        .Add("canary", Canary(policy))
        .Add("roll back when", "the canary's live accuracy is " +
            (policy.MaxCanaryAccuracyDrop > 0 ? Number(policy.MaxCanaryAccuracyDrop) : Number(DefaultMaxCanaryAccuracyDrop) + " (default)") +
            " below production's")
        .Add("promote alias", Alias(policy))
        .Add("cooldown", Cooldown(policy))
        .Add("paused", policy.Paused ? "yes" : "no")
        .Add("created", Display.Time(policy.CreatedAt))
        .Add("updated", Display.Time(policy.UpdatedAt))
        .Write(writer);

    /// <summary><c>0.845 vs 0.791 (p=1e-07)</c>: candidate vs production held-out accuracy; <c>-</c> before the evaluation.</summary>
    public static string EvaluationSummary(CandidateEvaluation? evaluation) => evaluation is null || evaluation.Samples == 0
        ? Display.None
        : $"{Accuracy(evaluation.CandidateAccuracy)} vs {Accuracy(evaluation.ProductionAccuracy)} (p={PValue(evaluation.PValue)})";

    /// <summary><c>v2 -> v3</c>: production version and candidate (<c>-</c> until registered).</summary>
    public static string Versions(RetrainingRun run) => $"{Version(run.ProductionVersion)} -> {Version(run.CandidateVersion)}";

    public static void Describe(RetrainingRun run, TextWriter writer)
    {
        var lines = new KeyValueWriter()
            .Add("run", run.Id)
            .Add("model", run.Model)
            .Add("deployment", Or(run.Deployment))
            .Add("state", State(run.State))
            .AddIfSet("message", run.Message)
            .Add("trigger", Or(run.Trigger))
            .Add("versions", Versions(run) + " (production -> candidate)")
            .Add("job", Or(run.JobId))
            .Add("dataset", Or(run.Dataset));
        if (run.Evaluation is { Samples: > 0 } evaluation)
        {
            lines.Add("evaluation", $"{EvaluationSummary(evaluation)}: {(evaluation.Better ? "better" : "not better")}")
                .Add("  dataset", Or(evaluation.Dataset))
                .Add("  samples", Display.Integer(evaluation.Samples))
                .Add("  candidate", Display.Number(evaluation.CandidateAccuracy))
                .Add("  production", Display.Number(evaluation.ProductionAccuracy))
                .Add("  only candidate right", Display.Integer(evaluation.CandidateOnlyCorrect))
                .Add("  only production right", Display.Integer(evaluation.ProductionOnlyCorrect))
                .Add("  p (McNemar)", PValue(evaluation.PValue));
        }
        else
        {
            lines.Add("evaluation", Display.None);
        }

        lines.Add("created", Display.Time(run.CreatedAt))
            .AddIfSet("canary from", run.CanaryStartedAt is null ? null : Display.Time(run.CanaryStartedAt))
            .AddIfSet("finished", run.FinishedAt is null ? null : Display.Time(run.FinishedAt))
            .Write(writer);
    }

    /// <summary>
    /// One step of the timeline: <c>2025-01-02 03:04:05  evaluate  candidate beats production</c>, then each piece
    /// of evidence indented as <c>key: value</c>, the values lined up.
    /// </summary>
    public static void Decision(RetrainingDecision decision, TextWriter writer)
    {
        writer.WriteLine($"{Display.Time(decision.At)}  {decision.Step,-8}  {decision.Message}".TrimEnd());
        if (decision.Evidence.Count == 0)
        {
            return;
        }

        var width = decision.Evidence.Keys.Max(k => k.Length) + 2;
        foreach (var (key, value) in decision.Evidence)
        {
            writer.WriteLine(("    " + (key + ":").PadRight(width) + value).TrimEnd());
        }
    }

    public static void Timeline(IEnumerable<RetrainingDecision> decisions, TextWriter writer)
    {
        foreach (var decision in decisions)
        {
            Decision(decision, writer);
        }
    }

    /// <summary>A policy number (threshold, rate) as typed: <c>0.9</c>, <c>0.001</c>, <c>0.0001</c>.</summary>
    public static string Number(double value) => value.ToString("0.##########", CultureInfo.InvariantCulture);

    /// <summary><c>1e-07</c>, <c>0.0123</c>, <c>0.5</c>: three significant digits.</summary>
    public static string PValue(double value) => value.ToString("G3", CultureInfo.InvariantCulture).Replace('E', 'e');

    private static string PromotionRule(RetrainingPolicy policy)
    {
        var improvement = policy.MinImprovement > 0
            ? $"the candidate's held-out accuracy beats production's by at least {Number(policy.MinImprovement)}"
            : "the candidate's held-out accuracy beats production's";
        return policy.Significance > 0
            ? $"{improvement}, McNemar p < {Number(policy.Significance)}"
            : $"{improvement} (no significance test)";
    }

    private static string Accuracy(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Version(int version) => version > 0 ? "v" + Display.Integer(version) : Display.None;

    internal static string Or(string value) => string.IsNullOrEmpty(value) ? Display.None : value;

    private static string Mark(bool mark) => mark ? " (default)" : "";

    private static void AddIf(List<string> parts, bool condition, string part)
    {
        if (condition)
        {
            parts.Add(part);
        }
    }
}
