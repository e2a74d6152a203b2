using System.Globalization;
using MlOps.Contracts;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Retraining;

/// <summary>Why a run starts: the trigger's name ("drift", "accuracy", "dataset", "schedule", "manual"), a sentence, and the numbers.</summary>
internal sealed record RetrainingTrigger(string Name, string Message, IReadOnlyDictionary<string, string> Evidence);

/// <summary>What the trigger check sees of one model at one moment.</summary>
/// <param name="Policy">The model's policy.</param>
/// <param name="Now">The time of the check.</param>
/// <param name="MinLabels">Labels a live accuracy needs to count (<c>Monitoring:MinLabels</c>).</param>
/// <param name="DatasetName">The dataset production was trained on.</param>
/// <param name="Production">The drift monitor's latest view of the production version; null before any window.</param>
/// <param name="LastRun">The model's newest run, whatever its state.</param>
/// <param name="NewestDatasetVersion">The newest registered version of the training dataset; 0 when unknown.</param>
/// <param name="ProductionDatasetVersion">The dataset version production was trained on; 0 when not a registered version.</param>
internal sealed record TriggerInputs(
    RetrainingPolicy Policy,
    DateTimeOffset Now,
    VersionMonitor? Production,
    int MinLabels,
    RetrainingRun? LastRun,
    string DatasetName,
    int NewestDatasetVersion,
    int ProductionDatasetVersion);

/// <summary>The canary's fate and why.</summary>
internal sealed record CanaryVerdict(bool Promote, string Message, IReadOnlyDictionary<string, string> Evidence);

/// <summary>
/// The decisions of a retraining run as pure functions of what the controller read (docs/retraining.md): which
/// trigger fires, whether the candidate beat production offline, and whether the canary did well enough live.
/// </summary>
internal static class RetrainingRules
{
    /// <summary>The first trigger that fires, in the order drift, accuracy, new dataset version, schedule; null when none.
    /// The controller has already checked that the policy is not paused, no run is active and the cooldown is over.</summary>
    public static RetrainingTrigger? FindTrigger(TriggerInputs inputs)
    {
        var triggers = inputs.Policy.Triggers ?? new RetrainingTriggers();
        var production = inputs.Production;
        if (triggers.OnDrift && production?.Verdict == "DRIFT")
        {
            var evidence = new Dictionary<string, string>
            {
                ["version"] = Number(production.Version),
                ["window_requests"] = Number(production.Requests),
                ["window_profiled"] = Number(production.Profiled),
                ["drifted_features"] = string.Join(", ", production.Features.Where(f => f.Drifted).Select(f => f.Name)),
            };
            if (production.ImageDrifted)
            {
                evidence["image_mmd_p"] = Number(production.ImagePValue);
            }

            if (production.PredictionDrifted)
            {
                evidence["prediction_chi2_p"] = Number(production.PredictionPValue);
                evidence["prediction_js"] = Number(production.PredictionJs);
            }

            foreach (var feature in production.Features.Where(f => f.Drifted))
            {
                evidence[$"{feature.Name}_psi"] = Number(feature.Psi);
                evidence[$"{feature.Name}_mean"] = $"{Number(feature.ReferenceMean)} -> {Number(feature.LiveMean)}";
            }

            return new RetrainingTrigger("drift", $"production v{production.Version} drifted: {string.Join("; ", production.Reasons)}", evidence);
        }

        if (triggers.AccuracyBelow > 0 && production is { Labels: > 0 } && production.Labels >= inputs.MinLabels)
        {
            var accuracy = (double)production.Correct / production.Labels;
            if (accuracy < triggers.AccuracyBelow)
            {
                return new RetrainingTrigger("accuracy",
                    string.Create(CultureInfo.InvariantCulture,
                        $"production v{production.Version} live accuracy {accuracy:F4} on {production.Labels} labels is below {triggers.AccuracyBelow:F4}"),
                    new Dictionary<string, string>
                    {
                        ["live_accuracy"] = Number(accuracy),
                        ["labels"] = Number(production.Labels),
                        ["threshold"] = Number(triggers.AccuracyBelow),
                    });
            }
        }

        if (triggers.OnNewDatasetVersion && inputs.ProductionDatasetVersion > 0 && inputs.NewestDatasetVersion > inputs.ProductionDatasetVersion)
        {
            return new RetrainingTrigger("dataset",
                $"dataset {inputs.DatasetName} has version {inputs.NewestDatasetVersion}; production was trained on version {inputs.ProductionDatasetVersion}",
                new Dictionary<string, string>
                {
                    ["dataset"] = inputs.DatasetName,
                    ["newest_version"] = Number(inputs.NewestDatasetVersion),
                    ["production_trained_on"] = Number(inputs.ProductionDatasetVersion),
                });
        }

        if (RetrainingPolicies.Every(inputs.Policy) is { } every)
        {
            var since = inputs.LastRun?.CreatedAt?.ToDateTimeOffset() ?? inputs.Policy.CreatedAt?.ToDateTimeOffset() ?? inputs.Now;
            if (inputs.Now - since >= every)
            {
                return new RetrainingTrigger("schedule",
                    $"the schedule retrains every {Span(every)}; the last run started {since:u}",
                    new Dictionary<string, string> { ["every"] = Span(every), ["since"] = since.ToString("u", CultureInfo.InvariantCulture) });
            }
        }

        return null;
    }

    /// <summary>
    /// True when an automatic run now would repeat the previous one exactly: it ended without a promotion, against the
    /// same production version, on the same newest dataset version, under the same policy. Training is deterministic
    /// for a spec, seed and dataset, so it would give the same candidate; the model waits for new data instead.
    /// </summary>
    public static bool WouldRepeat(RetrainingRun? lastRun, RetrainingPolicy policy, int productionVersion, string newestDataset) =>
        lastRun is { State: RetrainingRunState.Rejected or RetrainingRunState.RolledBack } &&
        lastRun.ProductionVersion == productionVersion &&
        lastRun.Dataset == newestDataset &&
        (policy.UpdatedAt is null || lastRun.CreatedAt is null || policy.UpdatedAt.ToDateTimeOffset() <= lastRun.CreatedAt.ToDateTimeOffset());

    /// <summary>
    /// The offline comparison from the retraining job's metrics (<see cref="ComparisonMetrics"/>), or null with the
    /// reason when the job did not compare. The candidate is better when its accuracy exceeds production's by more
    /// than nothing and by at least <c>min_improvement</c>, and, with a <c>significance</c>, the McNemar test rejects
    /// equal accuracy at that level.
    /// </summary>
    public static CandidateEvaluation? Evaluate(IReadOnlyDictionary<string, double> metrics, RetrainingPolicy policy, string dataset, out string message)
    {
        if (!metrics.TryGetValue(ComparisonMetrics.Samples, out var samples) || samples < 1 ||
            !metrics.TryGetValue(ComparisonMetrics.CandidateAccuracy, out var candidate) ||
            !metrics.TryGetValue(ComparisonMetrics.BaselineAccuracy, out var production))
        {
            message = "the retraining job reported no comparison with production (see the job's log: the baseline could not be fetched or run)";
            return null;
        }

        var evaluation = new CandidateEvaluation
        {
            Dataset = dataset,
            Samples = (long)samples,
            CandidateAccuracy = candidate,
            ProductionAccuracy = production,
            CandidateOnlyCorrect = (long)metrics.GetValueOrDefault(ComparisonMetrics.CandidateOnlyCorrect),
            ProductionOnlyCorrect = (long)metrics.GetValueOrDefault(ComparisonMetrics.BaselineOnlyCorrect),
            PValue = metrics.GetValueOrDefault(ComparisonMetrics.McNemarPValue, 1.0),
        };
        var gain = candidate - production;
        var summary = string.Create(CultureInfo.InvariantCulture,
            $"candidate {candidate:F4} vs production {production:F4} on {evaluation.Samples} held-out images of {dataset} (only candidate right: {evaluation.CandidateOnlyCorrect}, only production right: {evaluation.ProductionOnlyCorrect}, McNemar p={PValue(evaluation.PValue)})");
        if (gain <= 0)
        {
            message = $"not better: {summary}";
        }
        else if (gain < policy.MinImprovement)
        {
            message = string.Create(CultureInfo.InvariantCulture, $"improvement {gain:F4} is below the policy's min_improvement {policy.MinImprovement:F4}: {summary}");
        }
        else if (policy.Significance > 0 && evaluation.PValue > policy.Significance)
        {
            message = string.Create(CultureInfo.InvariantCulture, $"improvement not significant (p={PValue(evaluation.PValue)} > {policy.Significance}): {summary}");
        }
        else
        {
            evaluation.Better = true;
            message = $"better: {summary}";
        }

        return evaluation;
    }

    /// <summary>
    /// Promote unless the feedback labels of the canary period say the candidate does worse live: both versions need
    /// <paramref name="minLabels"/> labels for that comparison; with fewer, the offline comparison stands.
    /// </summary>
    public static CanaryVerdict JudgeCanary(RetrainingPolicy policy, VersionMonitor? production, VersionMonitor? candidate, int minLabels)
    {
        var evidence = new Dictionary<string, string>
        {
            ["candidate_requests"] = Number(candidate?.Requests ?? 0),
            ["candidate_labels"] = Number(candidate?.Labels ?? 0),
            ["production_labels"] = Number(production?.Labels ?? 0),
        };
        if (candidate is { Labels: > 0 } && production is { Labels: > 0 } && candidate.Labels >= minLabels && production.Labels >= minLabels)
        {
            var live = (double)candidate.Correct / candidate.Labels;
            var baseline = (double)production.Correct / production.Labels;
            var drop = RetrainingPolicies.MaxCanaryAccuracyDrop(policy);
            evidence["candidate_live_accuracy"] = Number(live);
            evidence["production_live_accuracy"] = Number(baseline);
            evidence["max_drop"] = Number(drop);
            return live < baseline - drop
                ? new CanaryVerdict(false, string.Create(CultureInfo.InvariantCulture,
                    $"canary v{candidate.Version} live accuracy {live:F4} on {candidate.Labels} labels is more than {drop:F4} below production's {baseline:F4} on {production.Labels}"), evidence)
                : new CanaryVerdict(true, string.Create(CultureInfo.InvariantCulture,
                    $"canary v{candidate.Version} live accuracy {live:F4} on {candidate.Labels} labels vs production {baseline:F4} on {production.Labels}: within {drop:F4}"), evidence);
        }

        return new CanaryVerdict(true,
            $"too few feedback labels in the canary period to compare live accuracy (need {minLabels} for each version): the offline comparison stands",
            evidence);
    }

    public static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>A p-value to three significant digits; one below the smallest double reads "&lt;1e-300", not 0.</summary>
    public static string PValue(double p) => p <= 0 ? "<1e-300" : p.ToString("G3", CultureInfo.InvariantCulture);

    /// <summary>A duration as people write it: 20s, 10m, 1h30m, 2d.</summary>
    public static string Span(TimeSpan span) => MlOps.Core.Time.DurationText.Format(span);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
