namespace MlOps.Coordinator.Storage;

/// <summary>
/// A write refused because another coordinator claimed the store's writes after this one did
/// (<see cref="ICoordinatorStore.ClaimWritesAsync"/>): this coordinator is no longer the leader, whether or not it
/// has noticed yet.
/// </summary>
public sealed class StaleWriterException(long epoch, long currentEpoch, string currentHolder)
    : Exception($"the store's writes belong to {currentHolder} (epoch {currentEpoch}) since it took the lead; this coordinator's epoch {epoch} is stale, so its write was refused")
{
    /// <summary>The epoch this coordinator claimed.</summary>
    public long Epoch { get; } = epoch;

    /// <summary>The epoch of the newest claim.</summary>
    public long CurrentEpoch { get; } = currentEpoch;

    public string CurrentHolder { get; } = currentHolder;
}
