namespace MlOps.Training.Native;

/// <summary>Overrides for <see cref="TorchSharpLoader.EnsureLoaded"/>; the defaults suit an application.</summary>
public sealed record TorchSharpLoaderOptions
{
    /// <summary>Environment variable that supplies <see cref="LibTorchDirectory"/>'s default.</summary>
    public const string LibTorchDirectoryVariable = "MLOPS_LIBTORCH_DIR";

    /// <summary>Directory holding <c>libLibTorchSharp.so</c> and libtorch's libraries. Default: found next to the
    /// application (<c>AppContext.BaseDirectory</c>, its <c>runtimes/linux-x64/native</c>, or TorchSharp.dll's folder).</summary>
    public string? NativeDirectory { get; init; }

    /// <summary>Answers whether the system libstdc++ exports <c>_ZSt21ios_base_library_initv</c> (GLIBCXX_3.4.32).
    /// Default: <see cref="LibStdCxxProbe.ExportsIosBaseLibraryInit"/>.</summary>
    public Func<bool>? LibStdCxxProbe { get; init; }

    /// <summary>An installed libtorch to use instead of the packaged one, e.g. a PyTorch install's
    /// <c>site-packages/torch/lib</c>; its libraries are loaded by full path first. Default: the <c>MLOPS_LIBTORCH_DIR</c>
    /// environment variable (set by the agent from <c>Agent:Training:LibTorchDirectory</c>), or none.</summary>
    public string? LibTorchDirectory { get; init; } = NonEmpty(Environment.GetEnvironmentVariable(LibTorchDirectoryVariable));

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
