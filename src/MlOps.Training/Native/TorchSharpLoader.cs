using System.Runtime.InteropServices;
using TorchSharp;

namespace MlOps.Training.Native;

/// <summary>
/// Makes TorchSharp's native glue library loadable before the first TorchSharp call.
/// <para>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> needs <c>GLIBCXX_3.4.32</c> (GCC 13's libstdc++) for one marker
/// symbol, <c>_ZSt21ios_base_library_initv</c>, that nothing calls. Where the system libstdc++ lacks it (Debian 12,
/// Ubuntu 22.04) a patched copy, <c>libLibTorchSharp.compat.so</c>, is written beside the original: the symbol is
/// bound unversioned and the version need is made weak. It must sit in the same directory as libtorch's
/// libraries because its RUNPATH is <c>$ORIGIN</c>. Preloading it lets TorchSharp's own load by name find it
/// through its SONAME. See docs/torchsharp-loader.md.
/// </para>
/// </summary>
public static class TorchSharpLoader
{
    public const string LibraryFileName = "libLibTorchSharp.so";
    public const string CompatFileName = "libLibTorchSharp.compat.so";
    public const string MarkerSymbol = "_ZSt21ios_base_library_initv";
    public const string MissingVersion = "GLIBCXX_3.4.32";

    private static readonly Lock Gate = new();
    private static LoaderOutcome? _outcome;

    /// <summary>
    /// Loads TorchSharp's native library, patching a copy first when needed. Idempotent and thread-safe: the first
    /// successful call decides (later calls return its outcome and ignore their options); a failed call may be retried.
    /// </summary>
    /// <exception cref="TorchSharpLoadException">The library was not found, could not be patched, written or loaded.</exception>
    public static LoaderOutcome EnsureLoaded(TorchSharpLoaderOptions? options = null)
    {
        lock (Gate)
        {
            if (_outcome is { } done)
            {
                return done;
            }

            options ??= new TorchSharpLoaderOptions();
            var outcome = Prepare(options);
            if (options.LibTorchDirectory is { } installed)
            {
                outcome = LoadWithInstalledLibTorch(outcome, installed, options.NativeDirectory ?? FindNativeDirectory());
            }
            else if (outcome.LibraryPath is { } path)
            {
                Load(path, outcome.Path);
            }

            _outcome = outcome;
            return outcome;
        }
    }

    /// <summary>Loads the installed libtorch in <paramref name="directory"/>, then TorchSharp's library bound against it.</summary>
    internal static LoaderOutcome LoadWithInstalledLibTorch(LoaderOutcome outcome, string directory, string? nativeDirectory)
    {
        if (outcome.LibraryPath is not { } library)
        {
            throw new TorchSharpLoadException(
                $"{LibraryFileName} was not found beside the application ({string.Join(", ", CandidateDirectories())}), so the libtorch in {directory} cannot be used");
        }

        InstalledLibTorch.Check(directory, nativeDirectory);
        InstalledLibTorch.Preload(directory);
        InstalledLibTorch.LoadTorchSharp(library, directory);
        return outcome with { LibTorchDirectory = Path.GetFullPath(directory) };
    }

    /// <summary>Decides the path and writes the compat copy when needed, without loading anything.</summary>
    internal static LoaderOutcome Prepare(TorchSharpLoaderOptions options)
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return new LoaderOutcome(LoaderPath.AsShipped, null, false);
        }

        var directory = options.NativeDirectory ?? FindNativeDirectory();
        var hasVersion = (options.LibStdCxxProbe ?? LibStdCxxProbe.ExportsIosBaseLibraryInit)();
        if (hasVersion)
        {
            var shipped = directory is null ? null : Path.Combine(directory, LibraryFileName);
            return new LoaderOutcome(LoaderPath.AsShipped, shipped is not null && File.Exists(shipped) ? shipped : null, false);
        }

        if (directory is null)
        {
            throw new TorchSharpLoadException(
                $"{LibraryFileName} not found in any of: {string.Join(", ", CandidateDirectories())}; " +
                $"the system {LibStdCxxProbe.LibraryName} lacks {MarkerSymbol} ({MissingVersion}), so a patched copy must be " +
                "written beside it. Reference the TorchSharp and libtorch-cpu-linux-x64 packages, or set NativeDirectory.");
        }

        var (compat, written) = WriteCompatCopy(directory);
        return new LoaderOutcome(LoaderPath.CompatCopy, compat, written);
    }

    /// <summary>Writes (or reuses) the patched copy in <paramref name="directory"/>; returns its path and whether it was written.</summary>
    internal static (string Path, bool Written) WriteCompatCopy(string directory)
    {
        var original = Path.Combine(directory, LibraryFileName);
        var compat = Path.Combine(directory, CompatFileName);
        byte[] source;
        try
        {
            source = File.ReadAllBytes(original);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TorchSharpLoadException($"{original}: cannot read TorchSharp's native library: {ex.Message}", ex);
        }

        byte[] patched;
        try
        {
            patched = WeakVersionPatch.Apply(source, original, MarkerSymbol, MissingVersion);
        }
        catch (ElfFormatException ex)
        {
            throw new TorchSharpLoadException(
                $"cannot patch {original} for {MarkerSymbol} / {MissingVersion}: {ex.Message}", ex);
        }

        if (SameContent(compat, patched))
        {
            return (compat, false);
        }

        var temp = $"{compat}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(patched);
                stream.Flush(flushToDisk: true);
            }

            // rename(2) is atomic: a concurrent process sees either no copy or a whole one, never a partial file.
            File.Move(temp, compat, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new TorchSharpLoadException(
                $"{compat}: cannot write the patched copy of {LibraryFileName} ({ex.Message}); it must sit beside libtorch's " +
                "libraries (its RUNPATH is $ORIGIN), so that directory must be writable", ex);
        }

        return (compat, true);
    }

    /// <summary>The directories searched for <see cref="LibraryFileName"/>, most specific first.</summary>
    internal static IEnumerable<string> CandidateDirectories()
    {
        const string Rid = "linux-x64";
        var roots = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) }
            .Where(d => !string.IsNullOrEmpty(d))
            .Select(d => Path.GetFullPath(d!))
            .Distinct();
        foreach (var root in roots)
        {
            yield return Path.Combine(root, "runtimes", Rid, "native");
            yield return root;
        }
    }

    private static string? FindNativeDirectory() =>
        CandidateDirectories().FirstOrDefault(d => File.Exists(Path.Combine(d, LibraryFileName)));

    private static void Load(string path, LoaderPath route)
    {
        try
        {
            NativeLibrary.Load(path);
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
        {
            var hint = route == LoaderPath.CompatCopy
                ? $"the patched copy (of {LibraryFileName}, {MarkerSymbol} unversioned, {MissingVersion} weak) did not load; libtorch's libraries must sit in the same directory"
                : $"the library as shipped did not load; if the error names {MissingVersion}, the libstdc++ probe was wrong";
            throw new TorchSharpLoadException($"{path}: {hint}: {ex.Message}", ex);
        }
    }

    private static bool SameContent(string path, byte[] expected)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists && info.Length == expected.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(expected);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a stray temp file does no harm and is never read.
        }
    }
}
