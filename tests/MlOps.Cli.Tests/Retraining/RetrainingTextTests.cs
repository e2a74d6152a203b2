using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using MlOps.Cli.Retraining;
using MlOps.Contracts;
using static MlOps.Cli.Tests.Fakes.RetrainingFixtures;

namespace MlOps.Cli.Tests.Retraining;

public sealed class RetrainingTextTests
{
    [Fact]
    public void EvaluationSummary_Evaluated_CandidateVsProductionWithP()
    {
        Assert.Equal("0.845 vs 0.791 (p=1e-07)", RetrainingText.EvaluationSummary(BetterCandidate()));
        Assert.Equal("-", RetrainingText.EvaluationSummary(null));
        Assert.Equal("-", RetrainingText.EvaluationSummary(new CandidateEvaluation()));
    }

    [Theory]
    [InlineData(1e-7, "1e-07")]
    [InlineData(0.0123456, "0.0123")]
    [InlineData(0.5, "0.5")]
    [InlineData(1, "1")]
    public void PValue_ThreeSignificantDigits(double p, string expected)
    {
        Assert.Equal(expected, RetrainingText.PValue(p));
    }

    [Fact]
    public void Triggers_All_ListedInOrder()
    {
        var triggers = new RetrainingTriggers { OnDrift = true, AccuracyBelow = 0.8, Every = Duration.FromTimeSpan(TimeSpan.FromHours(12)), OnNewDatasetVersion = true };

        Assert.Equal("drift, accuracy < 0.8, every 12h, new dataset version", RetrainingText.Triggers(triggers));
        Assert.Equal("manual only", RetrainingText.Triggers(new RetrainingTriggers()));
        Assert.False(RetrainingText.AnyTrigger(null));
    }

    [Fact]
    public void RunsTable_Runs_OneRowEachWithVersionsEvaluationAndAge()
    {
        var promoted = Promotion("rr-2", "fashion")[^1];
        var training = Run("rr-3", "fashion", RetrainingRunState.Training, "manual");

        using var output = new StringWriter();
        RunsCommand.Table([training, promoted], Start.AddMinutes(90)).Write(output, terminal: false);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^ID\s+MODEL\s+STATE\s+TRIGGER\s+VERSIONS\s+JOB\s+EVALUATION\s+AGE$", lines[0]);
        Assert.Matches(@"^rr-3\s+fashion\s+TRAINING\s+manual\s+v2 -> -\s+-\s+-\s+90m ago$", lines[1]);
        Assert.Matches(@"^rr-2\s+fashion\s+PROMOTED\s+drift\s+v2 -> v3\s+job-12\s+0\.845 vs 0\.791 \(p=1e-07\)\s+90m ago$", lines[2]);
    }

    [Fact]
    public void Decision_WithEvidence_TimeStepMessageThenAlignedKeyValues()
    {
        var decision = Decision(20, "evaluate", "candidate v3 beats production v2", ("candidate_accuracy", "0.8450"), ("p_value", "1e-07"));

        using var output = new StringWriter();
        RetrainingText.Decision(decision, output);

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  evaluate  candidate v3 beats production v2$", lines[0]);
        Assert.Equal("    candidate_accuracy: 0.8450", lines[1]);
        Assert.Equal("    p_value:            1e-07", lines[2]);
    }

    [Fact]
    public void DescribeRun_Promoted_StateVersionsEvaluationAndTimes()
    {
        var run = Promotion("rr-2", "fashion")[^1];

        using var output = new StringWriter();
        RetrainingText.Describe(run, output);

        var lines = output.ToString().Split('\n');
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^run:\s+rr-2$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^state:\s+PROMOTED$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^versions:\s+v2 -> v3 \(production -> candidate\)$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^evaluation:\s+0\.845 vs 0\.791 \(p=1e-07\): better$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\s+only candidate right:\s+812$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^\s+only production right:\s+272$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^canary from:\s+\d{4}-"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^finished:\s+\d{4}-"));
    }

    [Fact]
    public void DescribePolicy_ZerosAndAbsent_ShownAsTheDefaults()
    {
        using var output = new StringWriter();
        RetrainingText.Describe(new RetrainingPolicy { Model = "fashion", Triggers = new RetrainingTriggers { OnDrift = true } }, output);

        var lines = output.ToString().Split('\n');
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^deployment:\s+fashion \(default\)$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^triggers:\s+drift$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^hyperparameters:\s+production's$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^canary:\s+10% \(default\) for 10m \(default\)$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^cooldown:\s+1h \(default\)$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^promote alias:\s+production \(default\)$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^roll back when:\s+the canary's live accuracy is 0\.02 \(default\) below production's$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^promote when:\s+.*\(no significance test\)$"));
    }

    [Fact]
    public void DescribePolicy_Set_ShowsTheValues()
    {
        var policy = new RetrainingPolicy
        {
            Model = "fashion",
            Deployment = "fashion-prod",
            Triggers = new RetrainingTriggers { Every = Duration.FromTimeSpan(TimeSpan.FromDays(1)) },
            HyperParameters = new HyperParameters { Epochs = 20, LearningRate = 0.0005 },
            CanaryPercent = 25,
            CanaryDuration = Duration.FromTimeSpan(TimeSpan.FromMinutes(30)),
            MinImprovement = 0.01,
            Significance = 0.05,
            Cooldown = Duration.FromTimeSpan(TimeSpan.Zero),
            Paused = true,
        };

        using var output = new StringWriter();
        RetrainingText.Describe(policy, output);

        var lines = output.ToString().Split('\n');
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^triggers:\s+every 1d \(paused: only manual runs\)$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^hyperparameters:\s+epochs=20 learning_rate=0\.0005$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^canary:\s+25% for 30m$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^promote when:\s+.*by at least 0\.01, McNemar p < 0\.05$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^cooldown:\s+0s$"));
        Assert.Contains(lines, l => Regex.IsMatch(l, @"^paused:\s+yes$"));
    }
}
