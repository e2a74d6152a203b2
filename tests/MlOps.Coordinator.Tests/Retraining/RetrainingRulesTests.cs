using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;
using MlOps.Coordinator.Retraining;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Tests.Retraining;

public sealed class RetrainingRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FindTrigger_DriftVerdictWithDriftOn_DriftWithTheDriftedFeaturesAsEvidence()
    {
        var production = Monitor("DRIFT");
        production.Features.Add(new FeatureDriftView { Name = "mean", Drifted = true, Psi = 0.8, ReferenceMean = 0.1, LiveMean = 0.7 });
        production.Features.Add(new FeatureDriftView { Name = "std", Drifted = false });
        production.Reasons.Add("mean: PSI 0.8");

        var trigger = RetrainingRules.FindTrigger(Inputs(new RetrainingTriggers { OnDrift = true }, production));

        Assert.NotNull(trigger);
        Assert.Equal("drift", trigger.Name);
        Assert.Equal("mean", trigger.Evidence["drifted_features"]);
        Assert.Equal("0.8", trigger.Evidence["mean_psi"]);
        Assert.Contains("mean: PSI 0.8", trigger.Message);
    }

    [Theory]
    [InlineData("NO_DRIFT", true)]
    [InlineData("INSUFFICIENT_DATA", true)]
    [InlineData("DRIFT", false)]
    public void FindTrigger_NoDriftOrDriftTriggerOff_Null(string verdict, bool onDrift)
    {
        Assert.Null(RetrainingRules.FindTrigger(Inputs(new RetrainingTriggers { OnDrift = onDrift }, Monitor(verdict))));
    }

    [Theory]
    [InlineData(100, 70, 0.8, true)]
    [InlineData(100, 85, 0.8, false)]
    [InlineData(10, 1, 0.8, false)] // too few labels
    public void FindTrigger_LiveAccuracy_FiresOnlyBelowTheThresholdWithEnoughLabels(long labels, long correct, double threshold, bool fires)
    {
        var production = Monitor("NO_DRIFT");
        production.Labels = labels;
        production.Correct = correct;

        var trigger = RetrainingRules.FindTrigger(Inputs(new RetrainingTriggers { AccuracyBelow = threshold }, production));

        Assert.Equal(fires, trigger?.Name == "accuracy");
        if (fires)
        {
            Assert.Equal("0.7", trigger!.Evidence["live_accuracy"]);
        }
    }

    [Theory]
    [InlineData(3, 2, true)]
    [InlineData(2, 2, false)]
    [InlineData(3, 0, false)] // production not trained on a registered version
    public void FindTrigger_NewDatasetVersion_FiresWhenNewerThanProductions(int newest, int trainedOn, bool fires)
    {
        var inputs = Inputs(new RetrainingTriggers { OnNewDatasetVersion = true }, null) with
        {
            NewestDatasetVersion = newest,
            ProductionDatasetVersion = trainedOn,
        };

        Assert.Equal(fires, RetrainingRules.FindTrigger(inputs)?.Name == "dataset");
    }

    [Theory]
    [InlineData(59, false)]
    [InlineData(61, true)]
    public void FindTrigger_Schedule_FiresOnceTheIntervalSinceTheLastRunPassed(int minutesSinceLastRun, bool fires)
    {
        var triggers = new RetrainingTriggers { Every = Duration.FromTimeSpan(TimeSpan.FromHours(1)) };
        var last = new RetrainingRun { CreatedAt = Timestamp.FromDateTimeOffset(Now.AddMinutes(-minutesSinceLastRun)) };

        var trigger = RetrainingRules.FindTrigger(Inputs(triggers, null) with { LastRun = last });

        Assert.Equal(fires, trigger?.Name == "schedule");
    }

    [Fact]
    public void WouldRepeat_RejectedRunOnSameProductionAndData_TrueUntilDataOrPolicyChanges()
    {
        var last = new RetrainingRun
        {
            State = RetrainingRunState.Rejected, ProductionVersion = 2, Dataset = "tiny@3",
            CreatedAt = Timestamp.FromDateTimeOffset(Now.AddHours(-2)),
        };
        var policy = new RetrainingPolicy { Model = "m", UpdatedAt = Timestamp.FromDateTimeOffset(Now.AddHours(-3)) };

        Assert.True(RetrainingRules.WouldRepeat(last, policy, 2, "tiny@3"));
        Assert.False(RetrainingRules.WouldRepeat(last, policy, 2, "tiny@4"));
        Assert.False(RetrainingRules.WouldRepeat(last, policy, 3, "tiny@3"));
        Assert.False(RetrainingRules.WouldRepeat(last, new RetrainingPolicy { UpdatedAt = Timestamp.FromDateTimeOffset(Now.AddHours(-1)) }, 2, "tiny@3"));
        Assert.False(RetrainingRules.WouldRepeat(new RetrainingRun(last) { State = RetrainingRunState.Promoted }, policy, 2, "tiny@3"));
    }

    [Fact]
    public void Evaluate_NoComparisonMetrics_NullWithReason()
    {
        var evaluation = RetrainingRules.Evaluate(new Dictionary<string, double> { ["test_accuracy"] = 0.9 }, new RetrainingPolicy(), "tiny@2", out var message);

        Assert.Null(evaluation);
        Assert.Contains("no comparison", message);
    }

    [Theory]
    [InlineData(0.90, 0.85, 0.0, 0.0, 1e-4, true, "better: ")]
    [InlineData(0.85, 0.85, 0.0, 0.0, 1.0, false, "not better")]
    [InlineData(0.80, 0.85, 0.0, 0.0, 1e-3, false, "not better")]
    [InlineData(0.86, 0.85, 0.02, 0.0, 0.2, false, "below the policy's min_improvement")]
    [InlineData(0.87, 0.85, 0.01, 0.05, 0.2, false, "not significant")]
    [InlineData(0.87, 0.85, 0.01, 0.05, 0.01, true, "better: ")]
    public void Evaluate_Comparison_BetterOnlyWhenGainAndSignificanceHold(double candidate, double production, double minImprovement, double significance,
        double p, bool better, string reason)
    {
        var metrics = new Dictionary<string, double>
        {
            [ComparisonMetrics.Samples] = 1000,
            [ComparisonMetrics.CandidateAccuracy] = candidate,
            [ComparisonMetrics.BaselineAccuracy] = production,
            [ComparisonMetrics.CandidateOnlyCorrect] = 40,
            [ComparisonMetrics.BaselineOnlyCorrect] = 10,
            [ComparisonMetrics.McNemarPValue] = p,
        };
        var policy = new RetrainingPolicy { MinImprovement = minImprovement, Significance = significance };

        var evaluation = RetrainingRules.Evaluate(metrics, policy, "tiny@2", out var message);

        Assert.NotNull(evaluation);
        Assert.Equal(better, evaluation.Better);
        Assert.Contains(reason, message);
        Assert.Equal(better, message.StartsWith("better: ", StringComparison.Ordinal));
        Assert.Equal(1000, evaluation.Samples);
        Assert.Equal(40, evaluation.CandidateOnlyCorrect);
        Assert.Contains("tiny@2", message);
    }

    [Fact]
    public void JudgeCanary_LiveAccuracyFarBelowProductions_RollBack()
    {
        var verdict = RetrainingRules.JudgeCanary(new RetrainingPolicy(), Labelled(1, 100, 90), Labelled(2, 100, 80), minLabels: 50);

        Assert.False(verdict.Promote);
        Assert.Equal("0.8", verdict.Evidence["candidate_live_accuracy"]);
        Assert.Equal("0.9", verdict.Evidence["production_live_accuracy"]);
    }

    [Theory]
    [InlineData(100, 89, 50, true)] // within the default 0.02
    [InlineData(10, 0, 50, true)] // too few labels: the offline comparison stands
    public void JudgeCanary_WithinToleranceOrTooFewLabels_Promote(long labels, long correct, int minLabels, bool promote)
    {
        var verdict = RetrainingRules.JudgeCanary(new RetrainingPolicy(), Labelled(1, 100, 90), Labelled(2, labels, correct), minLabels);

        Assert.Equal(promote, verdict.Promote);
    }

    [Theory]
    [InlineData(0.0, "<1e-300")]
    [InlineData(0.012345, "0.0123")]
    [InlineData(1.0, "1")]
    public void PValue_UnderflowAndOrdinary_Readable(double p, string expected)
    {
        Assert.Equal(expected, RetrainingRules.PValue(p));
    }

    [Theory]
    [InlineData(20, "20s")]
    [InlineData(5400, "1h30m")]
    [InlineData(90000, "1d1h")]
    public void Span_Seconds_WrittenAsPeopleWriteDurations(int seconds, string expected)
    {
        Assert.Equal(expected, RetrainingRules.Span(TimeSpan.FromSeconds(seconds)));
    }

    private static TriggerInputs Inputs(RetrainingTriggers triggers, VersionMonitor? production) =>
        new(new RetrainingPolicy { Model = "m", Triggers = triggers, CreatedAt = Timestamp.FromDateTimeOffset(Now.AddDays(-1)) },
            Now, production, MinLabels: 50, LastRun: null, DatasetName: "tiny", NewestDatasetVersion: 0, ProductionDatasetVersion: 0);

    private static VersionMonitor Monitor(string verdict) => new() { Version = 1, Verdict = verdict, Requests = 500, Profiled = 300 };

    private static VersionMonitor Labelled(int version, long labels, long correct) => new() { Version = version, Labels = labels, Correct = correct };
}
