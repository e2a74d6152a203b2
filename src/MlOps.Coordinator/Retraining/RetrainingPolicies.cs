using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Retraining;

/// <summary>
/// Checks a retraining policy (every bad field at once) and reads it with its defaults applied, so an unset field
/// keeps meaning "the default" in storage and a later change of default applies to stored policies too.
/// </summary>
internal static class RetrainingPolicies
{
    public const int DefaultCanaryPercent = 10;
    public const string DefaultAlias = "production";
    public const double DefaultMaxCanaryAccuracyDrop = 0.02;
    public static readonly TimeSpan DefaultCanaryDuration = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan DefaultCooldown = TimeSpan.FromHours(1);
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(366);

    public static IReadOnlyList<FieldError> Validate(RetrainingPolicy policy)
    {
        var errors = new List<FieldError>();
        void Error(string field, string message) => errors.Add(new FieldError(field, message));

        if (string.IsNullOrWhiteSpace(policy.Model))
        {
            Error("model", "is required");
        }

        var triggers = policy.Triggers ?? new RetrainingTriggers();
        if (!Fraction(triggers.AccuracyBelow))
        {
            Error("triggers.accuracy_below", $"must be between 0 (off) and 1, got {triggers.AccuracyBelow}");
        }

        CheckDuration(triggers.Every, "triggers.every", TimeSpan.FromSeconds(10), errors);
        if (policy.CanaryPercent is < 0 or > 99)
        {
            Error("canary_percent", $"must be between 1 and 99 (0: the default {DefaultCanaryPercent}), got {policy.CanaryPercent}");
        }

        CheckDuration(policy.CanaryDuration, "canary_duration", TimeSpan.FromSeconds(1), errors);
        CheckDuration(policy.Cooldown, "cooldown", TimeSpan.Zero, errors);
        if (!Fraction(policy.MinImprovement))
        {
            Error("min_improvement", $"must be between 0 and 1 (an absolute accuracy difference), got {policy.MinImprovement}");
        }

        if (!Fraction(policy.Significance) || policy.Significance >= 1)
        {
            Error("significance", $"must be at least 0 (off) and below 1, got {policy.Significance}");
        }

        if (!Fraction(policy.MaxCanaryAccuracyDrop))
        {
            Error("max_canary_accuracy_drop", $"must be between 0 and 1, got {policy.MaxCanaryAccuracyDrop}");
        }

        if (policy.PromoteAlias.Length > 0 && Registry.RegistryNames.AliasProblem(policy.PromoteAlias) is { } aliasProblem)
        {
            Error("promote_alias", aliasProblem);
        }

        if (policy.HyperParameters is { } hyper)
        {
            if (hyper.LearningRate < 0 || double.IsNaN(hyper.LearningRate))
            {
                Error("hyper_parameters.learning_rate", $"must be positive (0: production's), got {hyper.LearningRate}");
            }

            if (hyper.Epochs < 0)
            {
                Error("hyper_parameters.epochs", $"must be positive (0: production's), got {hyper.Epochs}");
            }

            if (hyper.BatchSize < 0)
            {
                Error("hyper_parameters.batch_size", $"must be positive (0: production's), got {hyper.BatchSize}");
            }
        }

        return errors;
    }

    public static string Deployment(RetrainingPolicy policy) => policy.Deployment.Length > 0 ? policy.Deployment : policy.Model;

    public static int CanaryPercent(RetrainingPolicy policy) => policy.CanaryPercent > 0 ? policy.CanaryPercent : DefaultCanaryPercent;

    public static TimeSpan CanaryDuration(RetrainingPolicy policy) => Positive(policy.CanaryDuration) ?? DefaultCanaryDuration;

    public static TimeSpan Cooldown(RetrainingPolicy policy) => policy.Cooldown is null ? DefaultCooldown : policy.Cooldown.ToTimeSpan();

    public static double MaxCanaryAccuracyDrop(RetrainingPolicy policy) =>
        policy.MaxCanaryAccuracyDrop > 0 ? policy.MaxCanaryAccuracyDrop : DefaultMaxCanaryAccuracyDrop;

    public static string PromoteAlias(RetrainingPolicy policy) => policy.PromoteAlias.Length > 0 ? policy.PromoteAlias : DefaultAlias;

    /// <summary>The schedule, or null when the policy has none.</summary>
    public static TimeSpan? Every(RetrainingPolicy policy) => Positive(policy.Triggers?.Every);

    /// <summary>The production job's hyperparameters with each field the policy sets replacing production's.</summary>
    public static HyperParameters Apply(HyperParameters? production, HyperParameters? overrides)
    {
        var result = production?.Clone() ?? new HyperParameters();
        if (overrides is null)
        {
            return result;
        }

        if (overrides.Optimizer != Optimizer.Unspecified)
        {
            result.Optimizer = overrides.Optimizer;
        }

        if (overrides.LearningRate > 0)
        {
            result.LearningRate = overrides.LearningRate;
        }

        if (overrides.BatchSize > 0)
        {
            result.BatchSize = overrides.BatchSize;
        }

        if (overrides.Epochs > 0)
        {
            result.Epochs = overrides.Epochs;
        }

        if (overrides.Momentum > 0)
        {
            result.Momentum = overrides.Momentum;
        }

        if (overrides.WeightDecay > 0)
        {
            result.WeightDecay = overrides.WeightDecay;
        }

        if (overrides.LrSchedule != LearningRateSchedule.Unspecified)
        {
            result.LrSchedule = overrides.LrSchedule;
        }

        return result;
    }

    private static bool Fraction(double value) => value is >= 0 and <= 1;

    private static TimeSpan? Positive(Duration? duration) =>
        duration is not null && duration.ToTimeSpan() > TimeSpan.Zero ? duration.ToTimeSpan() : null;

    private static void CheckDuration(Duration? duration, string field, TimeSpan minimum, List<FieldError> errors)
    {
        if (duration is null)
        {
            return;
        }

        if (duration.Seconds < 0 || duration.Nanos < 0)
        {
            errors.Add(new FieldError(field, "must not be negative"));
            return;
        }

        var value = duration.ToTimeSpan();
        if (value > TimeSpan.Zero && value < minimum)
        {
            errors.Add(new FieldError(field, $"must be at least {minimum.TotalSeconds:0.###} s, got {value.TotalSeconds:0.###} s"));
        }
        else if (value > MaxDuration)
        {
            errors.Add(new FieldError(field, $"must be at most {MaxDuration.TotalDays:0} days"));
        }
    }
}
