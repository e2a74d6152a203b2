namespace MlOps.Agent.Options;

/// <summary><c>Agent:Training</c>: settings for the training children.</summary>
public sealed class AgentTrainingOptions
{
    /// <summary>Environment variable through which the children receive <see cref="LibTorchDirectory"/>.</summary>
    public const string LibTorchDirectoryVariable = MlOps.Training.Native.TorchSharpLoaderOptions.LibTorchDirectoryVariable;

    /// <summary>
    /// A libtorch already installed on the node, used instead of the one the build ships: a directory holding
    /// <c>libc10.so</c>, <c>libtorch_cpu.so</c> and <c>libtorch.so</c> (and for CUDA <c>libc10_cuda.so</c>,
    /// <c>libtorch_cuda.so</c>), e.g. a PyTorch install's <c>site-packages/torch/lib</c>. Needs an agent built with
    /// <c>-p:MlOpsTorchBackend=external</c>. Default empty: the packaged libtorch. Passed to each child as
    /// <c>MLOPS_LIBTORCH_DIR</c>.
    /// </summary>
    public string LibTorchDirectory { get; set; } = "";

    /// <summary>Every invalid setting, named with its configuration key.</summary>
    public IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(LibTorchDirectory))
        {
            yield break;
        }

        if (!Path.IsPathFullyQualified(LibTorchDirectory))
        {
            yield return $"Agent:Training:LibTorchDirectory must be an absolute path, got '{LibTorchDirectory}'";
        }
        else if (!Directory.Exists(LibTorchDirectory))
        {
            yield return $"Agent:Training:LibTorchDirectory '{LibTorchDirectory}' does not exist (a libtorch directory, e.g. a PyTorch install's site-packages/torch/lib)";
        }
        else if (!File.Exists(Path.Combine(LibTorchDirectory, "libtorch.so")))
        {
            yield return $"Agent:Training:LibTorchDirectory '{LibTorchDirectory}' holds no libtorch.so (a PyTorch install has it in site-packages/torch/lib)";
        }
    }

    /// <summary>Sets <see cref="LibTorchDirectoryVariable"/> for the children this process starts (they inherit its
    /// environment) when <see cref="LibTorchDirectory"/> is set; otherwise leaves the environment as it is.</summary>
    public void ApplyToChildren(Action<string, string?> setVariable)
    {
        ArgumentNullException.ThrowIfNull(setVariable);
        if (!string.IsNullOrWhiteSpace(LibTorchDirectory))
        {
            setVariable(LibTorchDirectoryVariable, LibTorchDirectory);
        }
    }
}
