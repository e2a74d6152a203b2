namespace MlOps.Training.Native;

/// <summary>Overrides for <see cref="TorchSharpLoader.EnsureLoaded"/>; the defaults suit an application.</summary>
public sealed record TorchSharpLoaderOptions
{
    /// <summary>Directory holding <c>libLibTorchSharp.so</c> and libtorch's libraries. Default: found next to the
    /// application (<c>AppContext.BaseDirectory</c>, its <c>runtimes/linux-x64/native</c>, or TorchSharp.dll's folder).</summary>
    public string? NativeDirectory { get; init; }

    /// <summary>Answers whether the system libstdc++ exports <c>_ZSt21ios_base_library_initv</c> (GLIBCXX_3.4.32).
    /// Default: <see cref="LibStdCxxProbe.ExportsIosBaseLibraryInit"/>.</summary>
    public Func<bool>? LibStdCxxProbe { get; init; }
}
