using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>Retraining runs and decisions as the coordinator reports them, for the fake RetrainingService.</summary>
internal static class RetrainingFixtures
{
    public static readonly DateTimeOffset Start = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    /// <summary>A decision <paramref name="minutes"/> after <see cref="Start"/>, with its evidence in the order given.</summary>
    public static RetrainingDecision Decision(int minutes, string step, string message, params (string Key, string Value)[] evidence)
    {
        var decision = new RetrainingDecision { At = Timestamp.FromDateTimeOffset(Start.AddMinutes(minutes)), Step = step, Message = message };
        foreach (var (key, value) in evidence)
        {
            decision.Evidence[key] = value;
        }

        return decision;
    }

    /// <summary>A run of production v2 created at <see cref="Start"/>, with <paramref name="decisions"/> so far.</summary>
    public static RetrainingRun Run(string id, string model, RetrainingRunState state, string trigger, params RetrainingDecision[] decisions)
    {
        var run = new RetrainingRun
        {
            Id = id,
            Model = model,
            Deployment = model,
            State = state,
            Trigger = trigger,
            ProductionVersion = 2,
            CreatedAt = Timestamp.FromDateTimeOffset(Start),
            UpdatedAt = Timestamp.FromDateTimeOffset(Start),
        };
        run.Decisions.Add(decisions);
        return run;
    }

    /// <summary>The paired comparison of a candidate that won clearly: 0.845 against 0.791 on 10000 samples.</summary>
    public static CandidateEvaluation BetterCandidate() => new()
    {
        Dataset = "fashion-mnist@3",
        Samples = 10_000,
        CandidateAccuracy = 0.845,
        ProductionAccuracy = 0.791,
        CandidateOnlyCorrect = 812,
        ProductionOnlyCorrect = 272,
        PValue = 1e-7,
        Better = true,
    };

    /// <summary>
    /// The same run at each step of a promotion: trained (v3, job-12), evaluated, canaried, promoted; each state has
    /// the decisions up to it.
    /// </summary>
    public static RetrainingRun[] Promotion(string id, string model)
    {
        var decisions = new[]
        {
            Decision(0, "trigger", "production v2 drifted", ("verdict", "DRIFT"), ("image_p_value", "0.0001")),
            Decision(1, "submit", "submitted job job-12 on fashion-mnist@3", ("job", "job-12"), ("dataset", "fashion-mnist@3")),
            Decision(20, "evaluate", "candidate v3 beats production v2", ("candidate_accuracy", "0.8450"), ("production_accuracy", "0.7910"), ("p_value", "1e-07")),
            Decision(21, "canary", "v3 takes 10% of the traffic for 10m", ("percent", "10")),
            Decision(31, "promote", "v3 promoted: production alias moved", ("live_accuracy", "0.84"), ("alias", "production")),
        };
        RetrainingRun At(RetrainingRunState state, int decisionCount)
        {
            var run = Run(id, model, state, "drift", decisions[..decisionCount]);
            if (decisionCount >= 2)
            {
                run.JobId = "job-12";
                run.Dataset = "fashion-mnist@3";
            }

            if (decisionCount >= 3)
            {
                run.CandidateVersion = 3;
                run.Evaluation = BetterCandidate();
            }

            if (decisionCount >= 4)
            {
                run.CanaryStartedAt = decisions[3].At;
            }

            if (decisionCount >= 5)
            {
                run.FinishedAt = decisions[4].At;
            }

            return run;
        }

        return
        [
            At(RetrainingRunState.Training, 1), At(RetrainingRunState.Training, 2), At(RetrainingRunState.Canary, 4),
            At(RetrainingRunState.Canary, 4), At(RetrainingRunState.Promoted, 5),
        ];
    }
}
