using MlOps.Training.Native;

namespace MlOps.Onnx.Tests.Support;

/// <summary>
/// Tests that use torch run one at a time (<c>torch.manual_seed</c> and the generator are process-wide) and only
/// after TorchSharp's native library is loaded: the first use of <c>torch</c> runs its static constructor, and a
/// failed one stays failed for the whole process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchCollection : ICollectionFixture<TorchFixture>
{
    public const string Name = "torch";
}

public sealed class TorchFixture
{
    public TorchFixture()
    {
        Outcome = TorchSharpLoader.EnsureLoaded();
    }

    public LoaderOutcome Outcome { get; }
}
