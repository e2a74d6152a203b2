// Writes libLibTorchSharp.compat.so beside libtorch in a published agent (argument: its runtimes/linux-x64/native
// folder), as the agent would on its first training run. An installed agent cannot write there (ProtectSystem=strict,
// the folder owned by root), so scripts/install.sh does it when it builds the bundle. See docs/torchsharp-loader.md.
#:project ../../src/MlOps.Training/MlOps.Training.csproj
using MlOps.Training.Native;

if (args.Length != 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: torchsharp-compat.cs NATIVE_DIR (the folder holding libLibTorchSharp.so)");
    return 2;
}

// The probe is forced to "missing" so the copy is written even on a build machine whose libstdc++ is new enough:
// the bundle may be installed on one that is not.
var outcome = TorchSharpLoader.EnsureLoaded(new TorchSharpLoaderOptions { NativeDirectory = Path.GetFullPath(args[0]), LibStdCxxProbe = () => false });
Console.WriteLine($"{outcome.Path}: {outcome.LibraryPath}");
return 0;
