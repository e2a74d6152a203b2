using System.Runtime.InteropServices;

namespace MlOps.Training.Native;

/// <summary>
/// Loads libtorch from a directory the node already has (e.g. a PyTorch install's <c>site-packages/torch/lib</c>)
/// instead of the one packaged beside the application. Each library is loaded by its full path before TorchSharp's own
/// library; the dynamic loader then resolves <c>libLibTorchSharp.so</c>'s needs (<c>libtorch.so</c>, <c>libc10.so</c>,
/// <c>libtorch_cpu.so</c>) by SONAME to the copies already in the process. TorchSharp's library is then opened with
/// <c>RTLD_NOW</c>, so a libtorch that lacks a symbol TorchSharp needs (another libtorch version) fails here, naming the
/// symbol, and not with a fatal lookup error in the middle of training.
/// </summary>
internal static partial class InstalledLibTorch
{
    /// <summary>Environment variable the agent sets for its training children (<c>Agent:Training:LibTorchDirectory</c>).</summary>
    public const string DirectoryVariable = TorchSharpLoaderOptions.LibTorchDirectoryVariable;

    /// <summary>Needed in every libtorch, in load order.</summary>
    public static readonly IReadOnlyList<string> RequiredFiles = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    /// <summary>Present in a CUDA build; loaded, in this order, before <c>libtorch.so</c> when there.</summary>
    public static readonly IReadOnlyList<string> CudaFiles = ["libc10_cuda.so", "libtorch_cuda.so"];

    private const int RtldNow = 2;

    /// <summary>Checks <paramref name="directory"/> and that no other libtorch would be loaded beside it; lists every
    /// problem at once.</summary>
    /// <param name="directory">The installed libtorch.</param>
    /// <param name="packagedDirectory">Where TorchSharp's library sits (and a packaged libtorch, if the build has one).</param>
    public static void Check(string directory, string? packagedDirectory)
    {
        if (!Directory.Exists(directory))
        {
            throw new TorchSharpLoadException($"{DirectoryVariable} / Agent:Training:LibTorchDirectory: {directory} is not a directory");
        }

        var missing = RequiredFiles.Where(f => !File.Exists(Path.Combine(directory, f))).ToList();
        if (missing.Count > 0)
        {
            throw new TorchSharpLoadException(
                $"{directory} is not a libtorch directory: {string.Join(", ", missing)} missing (a libtorch has {string.Join(", ", RequiredFiles)}, " +
                $"and a CUDA one also {string.Join(", ", CudaFiles)}; in a PyTorch install it is site-packages/torch/lib)");
        }

        // TorchSharp itself loads "torch_cpu" (or "torch_cuda") by name, which finds a packaged copy beside the
        // application by its full path: two libtorch builds in one process register every operator twice and abort.
        if (packagedDirectory is not null && !SameDirectory(directory, packagedDirectory)
            && RequiredFiles.Concat(CudaFiles).FirstOrDefault(f => File.Exists(Path.Combine(packagedDirectory, f))) is { } clash)
        {
            throw new TorchSharpLoadException(
                $"{directory} is to supply libtorch, but this build also ships one ({Path.Combine(packagedDirectory, clash)}), which TorchSharp " +
                "would load beside it; build the agent with -p:MlOpsTorchBackend=external for a node's own libtorch (docs/gpu.md)");
        }
    }

    /// <summary>Loads the libtorch libraries of <paramref name="directory"/> (checked first) by full path.</summary>
    public static void Preload(string directory)
    {
        var order = new[] { "libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so" };
        foreach (var file in order)
        {
            var path = Path.Combine(directory, file);
            if (!File.Exists(path))
            {
                continue;
            }

            try
            {
                NativeLibrary.Load(path);
            }
            catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
            {
                throw new TorchSharpLoadException(
                    $"{path}: the installed libtorch did not load (a library it needs, e.g. CUDA's or cuDNN's, is missing or incompatible): {ex.Message}", ex);
            }
        }
    }

    /// <summary>Opens TorchSharp's library with every symbol bound now; on failure names the directory and dlerror's text.</summary>
    public static void LoadTorchSharp(string libraryPath, string directory)
    {
        var handle = DlOpen(libraryPath, RtldNow);
        if (handle == IntPtr.Zero)
        {
            var error = Marshal.PtrToStringUTF8(DlError()) ?? "unknown error";
            throw new TorchSharpLoadException(
                $"{libraryPath} does not work with the libtorch in {directory} ({error}); TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version} " +
                $"is built for libtorch {TorchSharp.torch.__version__}, and another libtorch version may lack what it needs");
        }

        // Keep it: the reference stays for the process's lifetime, as TorchSharp's own load would.
        NativeLibrary.Load(libraryPath);
    }

    private static bool SameDirectory(string a, string b) =>
        string.Equals(Canonical(a), Canonical(b), StringComparison.Ordinal);

    private static string Canonical(string directory)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        return Directory.ResolveLinkTarget(full, returnFinalTarget: true) is { } target
            ? Path.TrimEndingDirectorySeparator(target.FullName)
            : full;
    }

    [LibraryImport("libc.so.6", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr DlOpen(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "dlerror")]
    private static partial IntPtr DlError();
}
