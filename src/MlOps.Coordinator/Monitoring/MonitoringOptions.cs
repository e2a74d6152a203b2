using Microsoft.Extensions.Options;
using MlOps.Monitoring.Drift;

namespace MlOps.Coordinator.Monitoring;

/// <summary>
/// Drift evaluation in the coordinator, bound from <c>Monitoring</c> (docs/monitoring.md): the live windows agents
/// report over <see cref="EvaluationWindow"/> are merged and compared with the version's reference profile under the
/// thresholds below (MlOps.Monitoring <see cref="DriftPolicy"/>).
/// </summary>
public sealed class MonitoringOptions
{
    public const string SectionName = "Monitoring";

    /// <summary>How far back live windows are merged for one evaluation. 10 s - 1 day; default 5 min.</summary>
    public TimeSpan EvaluationWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A feature drifts when its PSI reaches this (and its KS test rejects). Default 0.1.</summary>
    public double PsiThreshold { get; set; } = 0.1;

    public double KsAlpha { get; set; } = 0.01;

    public double MmdAlpha { get; set; } = 0.01;

    public double PredictionAlpha { get; set; } = 0.01;

    /// <summary>Fewer live samples than this: insufficient data, never drift. Default 200.</summary>
    public int MinSamples { get; set; } = 200;

    /// <summary>Alert when the live accuracy over the evaluation window falls below this (0 to 1; 0 = no alert).
    /// Default 0.</summary>
    public double AccuracyThreshold { get; set; }

    /// <summary>Labels the window needs before its accuracy can raise an alert. Default 50.</summary>
    public int MinLabels { get; set; } = 50;

    /// <summary>Permutations of the image MMD test (its p-value resolution is 1/(n+1)). Default 500.</summary>
    public int MmdPermutations { get; set; } = 500;

    /// <summary>
    /// Per-model overrides, by the name clients call (<c>Monitoring:Models:&lt;name&gt;:PsiThreshold</c>, ...): each
    /// value set replaces the one above for that model only. A model that is noisier, or more critical, than the rest
    /// gets its own thresholds without changing the others'.
    /// </summary>
    public Dictionary<string, ModelMonitoringOverrides> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>These settings with <paramref name="model"/>'s overrides applied (the same instance when it has none).</summary>
    public MonitoringOptions For(string model)
    {
        if (!Models.TryGetValue(model, out var overrides))
        {
            return this;
        }

        return new MonitoringOptions
        {
            EvaluationWindow = EvaluationWindow,
            PsiThreshold = overrides.PsiThreshold ?? PsiThreshold,
            KsAlpha = overrides.KsAlpha ?? KsAlpha,
            MmdAlpha = overrides.MmdAlpha ?? MmdAlpha,
            PredictionAlpha = overrides.PredictionAlpha ?? PredictionAlpha,
            MinSamples = overrides.MinSamples ?? MinSamples,
            AccuracyThreshold = overrides.AccuracyThreshold ?? AccuracyThreshold,
            MinLabels = overrides.MinLabels ?? MinLabels,
            MmdPermutations = MmdPermutations,
        };
    }

    public DriftPolicy Policy() => new()
    {
        PsiThreshold = PsiThreshold,
        KsAlpha = KsAlpha,
        MmdAlpha = MmdAlpha,
        PredictionAlpha = PredictionAlpha,
        MinSamples = MinSamples,
        MmdPermutations = MmdPermutations,
    };
}

/// <summary>One model's thresholds where they differ from the defaults in <see cref="MonitoringOptions"/>; unset: the default.</summary>
public sealed class ModelMonitoringOverrides
{
    public double? PsiThreshold { get; set; }

    public double? KsAlpha { get; set; }

    public double? MmdAlpha { get; set; }

    public double? PredictionAlpha { get; set; }

    public int? MinSamples { get; set; }

    public double? AccuracyThreshold { get; set; }

    public int? MinLabels { get; set; }
}

internal sealed class MonitoringOptionsValidator : IValidateOptions<MonitoringOptions>
{
    public ValidateOptionsResult Validate(string? name, MonitoringOptions options)
    {
        var errors = Check(options, MonitoringOptions.SectionName);
        foreach (var model in options.Models.Keys.Order(StringComparer.Ordinal))
        {
            errors.AddRange(Check(options.For(model), $"{MonitoringOptions.SectionName}:Models:{model}"));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static List<string> Check(MonitoringOptions options, string section)
    {
        var errors = options.Policy().Validate().Select(e => $"{section}: {e}").ToList();
        if (options.AccuracyThreshold is < 0 or > 1 || double.IsNaN(options.AccuracyThreshold))
        {
            errors.Add($"{section}:AccuracyThreshold must be between 0 (off) and 1, got {options.AccuracyThreshold}");
        }

        if (options.MinLabels < 1)
        {
            errors.Add($"{section}:MinLabels must be at least 1, got {options.MinLabels}");
        }

        if (options.EvaluationWindow < TimeSpan.FromSeconds(10) || options.EvaluationWindow > TimeSpan.FromDays(1))
        {
            errors.Add($"{section}:EvaluationWindow must be between 10 seconds and 1 day, got {options.EvaluationWindow}");
        }

        return errors;
    }
}
