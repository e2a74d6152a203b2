using System.Runtime.InteropServices;

namespace MlOps.Training.Native;

/// <summary>Asks the system's C++ runtime whether it is new enough for the TorchSharp library as shipped.</summary>
public static class LibStdCxxProbe
{
    public const string LibraryName = "libstdc++.so.6";

    /// <summary>True when <c>libstdc++.so.6</c> loads and exports <see cref="TorchSharpLoader.MarkerSymbol"/>
    /// (present from GCC 13, GLIBCXX_3.4.32, on). False when either fails.</summary>
    public static bool ExportsIosBaseLibraryInit()
    {
        if (!NativeLibrary.TryLoad(LibraryName, out var handle))
        {
            return false;
        }

        try
        {
            return NativeLibrary.TryGetExport(handle, TorchSharpLoader.MarkerSymbol, out _);
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }
}
