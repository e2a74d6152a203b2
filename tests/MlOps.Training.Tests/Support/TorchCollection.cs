namespace MlOps.Training.Tests.Support;

/// <summary>
/// Tests that use torch run one at a time: <c>torch.manual_seed</c> and the generator dropout draws from are
/// process-wide, so two trainings side by side would disturb each other's random streams.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection
{
    public const string Name = "torch";
}
