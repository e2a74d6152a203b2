namespace MlOps.Training.Native;

/// <summary>Which native library <see cref="TorchSharpLoader"/> made TorchSharp use.</summary>
public enum LoaderPath
{
    /// <summary>The library exactly as the TorchSharp package ships it (the system libstdc++ is new enough).</summary>
    AsShipped,

    /// <summary>The patched copy <c>libLibTorchSharp.compat.so</c> beside the original.</summary>
    CompatCopy,
}

/// <summary>What <see cref="TorchSharpLoader.EnsureLoaded"/> did.</summary>
/// <param name="Path">Which library is in use.</param>
/// <param name="LibraryPath">The file that was loaded; null where TorchSharp is left to find it itself
/// (not Linux x64, or the library was not found beside the application while no patch was needed).</param>
/// <param name="CompatCopyWritten">True when the compat copy was (re)written by this call, false when an
/// identical one was reused or none was needed.</param>
public sealed record LoaderOutcome(LoaderPath Path, string? LibraryPath, bool CompatCopyWritten)
{
    /// <summary>The installed libtorch loaded instead of the packaged one (<see cref="TorchSharpLoaderOptions.LibTorchDirectory"/>); null for the packaged one.</summary>
    public string? LibTorchDirectory { get; init; }
}
