using MlOps.Contracts;

namespace MlOps.Training;

/// <summary>The learning rate of each epoch under the job's schedule.</summary>
public static class LearningRates
{
    /// <summary>Learning rate for 1-based <paramref name="epoch"/>: constant, or cosine-annealed from the base rate
    /// towards zero so that the first epoch uses the full rate and the last a small fraction of it.</summary>
    public static double ForEpoch(HyperParameters hp, int epoch) => hp.LrSchedule switch
    {
        LearningRateSchedule.Cosine => hp.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (epoch - 1) / hp.Epochs)),
        _ => hp.LearningRate,
    };
}
