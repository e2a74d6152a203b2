using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>The retraining part of the contract: policies by model, runs by id, listed newest first per model.</summary>
public abstract partial class CoordinatorStoreContractTests
{
    [StoreFact]
    public async Task PutRetrainingPolicyAsync_ThenGetListReplaceDelete_WholeMessageByModel()
    {
        using var store = await OpenAsync();
        var retraining = (IRetrainingStore)store;
        var policy = new RetrainingPolicy { Model = "mnist", Triggers = new RetrainingTriggers { OnDrift = true, AccuracyBelow = 0.8 }, CanaryPercent = 20 };
        await retraining.PutRetrainingPolicyAsync(new RetrainingPolicy { Model = "zeta" }, None);
        await retraining.PutRetrainingPolicyAsync(policy, None);

        Assert.Equal(policy, await retraining.GetRetrainingPolicyAsync("mnist", None));
        Assert.Equal(["mnist", "zeta"], (await retraining.ListRetrainingPoliciesAsync(None)).Select(p => p.Model));

        var replaced = new RetrainingPolicy { Model = "mnist", Paused = true };
        await retraining.PutRetrainingPolicyAsync(replaced, None);
        Assert.Equal(replaced, await retraining.GetRetrainingPolicyAsync("mnist", None));

        Assert.True(await retraining.DeleteRetrainingPolicyAsync("mnist", None));
        Assert.False(await retraining.DeleteRetrainingPolicyAsync("mnist", None));
        Assert.Null(await retraining.GetRetrainingPolicyAsync("mnist", None));
    }

    [StoreFact]
    public async Task PutRetrainingRunAsync_SeveralModels_ListedNewestFirstPerModelAndUpdatedInPlace()
    {
        using var store = await OpenAsync();
        var retraining = (IRetrainingStore)store;
        var first = Run("r-1", "mnist", minutes: 1);
        var second = Run("r-2", "mnist", minutes: 2);
        await retraining.PutRetrainingRunAsync(first, None);
        await retraining.PutRetrainingRunAsync(second, None);
        await retraining.PutRetrainingRunAsync(Run("r-3", "other", minutes: 3), None);

        second.State = RetrainingRunState.Promoted;
        second.Decisions.Add(new RetrainingDecision { Step = "promote", Message = "better", Evidence = { ["candidate_accuracy"] = "0.9" } });
        await retraining.PutRetrainingRunAsync(second, None);

        Assert.Equal(["r-2", "r-1"], (await retraining.ListRetrainingRunsAsync("mnist", 10, None)).Select(r => r.Id));
        Assert.Equal(["r-3", "r-2"], (await retraining.ListRetrainingRunsAsync(null, 2, None)).Select(r => r.Id));
        Assert.Equal(second, await retraining.GetRetrainingRunAsync("r-2", None));
        Assert.Null(await retraining.GetRetrainingRunAsync("r-9", None));
    }

    private static RetrainingRun Run(string id, string model, int minutes) => new()
    {
        Id = id,
        Model = model,
        State = RetrainingRunState.Training,
        Trigger = "drift",
        CreatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 27, 12, minutes, 0, TimeSpan.Zero)),
    };
}
