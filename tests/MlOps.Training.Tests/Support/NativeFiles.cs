using MlOps.Testing;
using MlOps.Training.Native;

namespace MlOps.Training.Tests.Support;

/// <summary>Where the build put TorchSharp's and libtorch's native libraries for this test run.</summary>
public static class NativeFiles
{
    public static string Directory { get; } = TorchSharpLoader.CandidateDirectories()
        .First(d => File.Exists(Path.Combine(d, TorchSharpLoader.LibraryFileName)));

    public static string ShippedLibrary => Path.Combine(Directory, TorchSharpLoader.LibraryFileName);

    /// <summary>A temp directory holding only a copy of the shipped <c>libLibTorchSharp.so</c>.</summary>
    public static TempDirectory CopyShippedLibrary()
    {
        var temp = new TempDirectory("mlops-native");
        File.Copy(ShippedLibrary, temp.Combine(TorchSharpLoader.LibraryFileName));
        return temp;
    }
}
