using System.Globalization;
using System.Runtime.InteropServices;

namespace MlOps.Training.Devices;

/// <summary>
/// What TorchSharp does not expose: the GPU's name (CUDA driver API, <c>libcuda.so.1</c>, which honours
/// <c>CUDA_VISIBLE_DEVICES</c>), the CUDA version the driver supports, the version of the CUDA runtime libtorch loaded
/// (<c>cudaRuntimeGetVersion</c> of the <c>libcudart</c> in this process) and which libtorch files are mapped. Every
/// answer is best effort: null when it cannot be read, never an exception.
/// </summary>
internal static class CudaProcessInfo
{
    private const string DriverLibrary = "libcuda.so.1";

    internal sealed record Info(string? GpuName, string? DriverVersion, string? RuntimeVersion);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int IntFunction(int value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int OutIntFunction(out int value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int DeviceGetFunction(out int device, int ordinal);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int DeviceGetNameFunction(byte[] name, int length, int device);

    public static Info Describe() => new(GpuName(), DriverVersion(), RuntimeVersion());

    /// <summary>Why <c>torch.cuda.is_available()</c> is false, as far as this process can tell.</summary>
    public static string WhyUnavailable()
    {
        var mapped = MappedLibraries();
        var libtorch = mapped.FirstOrDefault(p => Path.GetFileName(p) == "libtorch_cpu.so");
        var where = libtorch is null ? "" : $" (libtorch from {Path.GetDirectoryName(libtorch)})";
        if (!mapped.Any(p => Path.GetFileName(p) == "libtorch_cuda.so"))
        {
            return $"the libtorch loaded is a CPU-only build{where}: no libtorch_cuda.so in the process";
        }

        if (!NativeLibrary.TryLoad(DriverLibrary, out var handle))
        {
            return $"libtorch has CUDA{where} but the NVIDIA driver library {DriverLibrary} was not found (is the driver installed?)";
        }

        NativeLibrary.Free(handle);
        return $"libtorch has CUDA{where} and the driver loads, but libtorch sees no usable GPU " +
            $"(CUDA_VISIBLE_DEVICES='{Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES")}'; a driver older than libtorch's CUDA runtime also looks like this)";
    }

    /// <summary>The shared objects mapped into this process (from <c>/proc/self/maps</c>); empty where unreadable.</summary>
    public static IReadOnlyList<string> MappedLibraries()
    {
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.IndexOf('/', StringComparison.Ordinal) is var at and >= 0 ? line[at..] : null)
                .Where(path => path is not null && path.Contains(".so", StringComparison.Ordinal))
                .Select(path => path!)
                .Distinct(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static string? GpuName() => WithDriver(handle =>
    {
        if (Call<IntFunction>(handle, "cuInit")?.Invoke(0) != 0
            || Call<DeviceGetFunction>(handle, "cuDeviceGet") is not { } get || get(out var device, 0) != 0
            || Call<DeviceGetNameFunction>(handle, "cuDeviceGetName") is not { } getName)
        {
            return null;
        }

        var buffer = new byte[256];
        return getName(buffer, buffer.Length, device) == 0 ? System.Text.Encoding.UTF8.GetString(buffer).TrimEnd('\0') : null;
    });

    private static string? DriverVersion() => WithDriver(handle =>
        Call<OutIntFunction>(handle, "cuDriverGetVersion") is { } get && get(out var version) == 0 ? Format(version) : null);

    private static string? RuntimeVersion()
    {
        var cudart = MappedLibraries().FirstOrDefault(p => Path.GetFileName(p).StartsWith("libcudart.so", StringComparison.Ordinal));
        if (cudart is null || !NativeLibrary.TryLoad(cudart, out var handle))
        {
            return null;
        }

        try
        {
            return Call<OutIntFunction>(handle, "cudaRuntimeGetVersion") is { } get && get(out var version) == 0 ? $"{Format(version)} ({cudart})" : null;
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    private static string? WithDriver(Func<IntPtr, string?> read)
    {
        if (!NativeLibrary.TryLoad(DriverLibrary, out var handle))
        {
            return null;
        }

        try
        {
            return read(handle);
        }
        finally
        {
            NativeLibrary.Free(handle);
        }
    }

    private static T? Call<T>(IntPtr handle, string name) where T : Delegate =>
        NativeLibrary.TryGetExport(handle, name, out var address) ? Marshal.GetDelegateForFunctionPointer<T>(address) : null;

    // CUDA encodes 13.0 as 13000 and 12.8 as 12080.
    private static string Format(int version) =>
        string.Create(CultureInfo.InvariantCulture, $"{version / 1000}.{version % 1000 / 10}");
}
