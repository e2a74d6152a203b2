using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;
using MlOps.Coordinator.Retraining;

namespace MlOps.Coordinator.Tests.Retraining;

public sealed class RetrainingPoliciesTests
{
    [Fact]
    public void Validate_EveryBadField_AllReportedWithTheirNames()
    {
        var policy = new RetrainingPolicy
        {
            Triggers = new RetrainingTriggers { AccuracyBelow = 1.5, Every = Duration.FromTimeSpan(TimeSpan.FromSeconds(2)) },
            CanaryPercent = 100,
            CanaryDuration = new Duration { Seconds = -1 },
            MinImprovement = -0.1,
            Significance = 1,
            MaxCanaryAccuracyDrop = 2,
            PromoteAlias = "Bad Alias",
            HyperParameters = new HyperParameters { Epochs = -1, LearningRate = -1, BatchSize = -2 },
        };

        var fields = RetrainingPolicies.Validate(policy).Select(e => e.Field).ToList();

        Assert.Equal(
            [
                "model", "triggers.accuracy_below", "triggers.every", "canary_percent", "canary_duration", "min_improvement", "significance",
                "max_canary_accuracy_drop", "promote_alias", "hyper_parameters.learning_rate", "hyper_parameters.epochs", "hyper_parameters.batch_size",
            ],
            fields);
    }

    [Fact]
    public void Validate_MinimalPolicy_ValidWithDefaults()
    {
        var policy = new RetrainingPolicy { Model = "fashion-mlp" };

        Assert.Empty(RetrainingPolicies.Validate(policy));
        Assert.Equal("fashion-mlp", RetrainingPolicies.Deployment(policy));
        Assert.Equal(10, RetrainingPolicies.CanaryPercent(policy));
        Assert.Equal(TimeSpan.FromMinutes(10), RetrainingPolicies.CanaryDuration(policy));
        Assert.Equal(TimeSpan.FromHours(1), RetrainingPolicies.Cooldown(policy));
        Assert.Equal("production", RetrainingPolicies.PromoteAlias(policy));
        Assert.Null(RetrainingPolicies.Every(policy));
    }

    [Fact]
    public void Apply_OverridesSet_ReplaceOnlyThoseFields()
    {
        var production = new HyperParameters { Optimizer = Optimizer.Adam, LearningRate = 0.001, BatchSize = 64, Epochs = 5, WeightDecay = 0.01 };

        var applied = RetrainingPolicies.Apply(production, new HyperParameters { Epochs = 8, LearningRate = 0.0005 });

        Assert.Equal(new HyperParameters { Optimizer = Optimizer.Adam, LearningRate = 0.0005, BatchSize = 64, Epochs = 8, WeightDecay = 0.01 }, applied);
        Assert.Equal(5, production.Epochs);
    }
}
