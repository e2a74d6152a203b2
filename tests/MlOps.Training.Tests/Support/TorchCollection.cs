using MlOps.Training.Native;

namespace MlOps.Training.Tests.Support;

/// <summary>
/// Tests that use torch run one at a time: <c>torch.manual_seed</c> and the generator dropout draws from are
/// process-wide, so two trainings side by side would disturb each other's random streams.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection : ICollectionFixture<TorchFixture>
{
    public const string Name = "torch";
}

/// <summary>
/// Loads TorchSharp's native library the way an application does, before any test touches <c>torch</c>: the first
/// use of <c>torch</c> runs its static constructor, and a failed one stays failed for the whole process.
/// </summary>
public sealed class TorchFixture
{
    public TorchFixture()
    {
        Outcome = TorchSharpLoader.EnsureLoaded();
    }

    public LoaderOutcome Outcome { get; }
}
