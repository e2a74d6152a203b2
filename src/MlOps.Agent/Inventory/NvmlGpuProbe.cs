using System.Runtime.InteropServices;
using System.Text;
using MlOps.Contracts;

namespace MlOps.Agent.Inventory;

/// <summary>
/// Lists GPUs through NVML, loaded dynamically: a node without the NVIDIA driver (no libnvidia-ml) simply
/// has no GPUs, which is not an error. Only the handful of NVML calls the inventory needs are bound.
/// </summary>
internal static unsafe class NvmlGpuProbe
{
    private const int Success = 0;

    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlMemory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    /// <summary>The GPUs NVML reports, or an empty list (with the reason) when NVML is absent or fails.</summary>
    public static (IReadOnlyList<GpuInfo> Gpus, string? Problem) Probe()
    {
        if (!NativeLibrary.TryLoad("libnvidia-ml.so.1", out var lib) && !NativeLibrary.TryLoad("libnvidia-ml.so", out lib))
        {
            return ([], "libnvidia-ml not found (no NVIDIA driver on this node)");
        }

        try
        {
            var init = (delegate* unmanaged<int>)Export(lib, "nvmlInit_v2");
            var shutdown = (delegate* unmanaged<int>)Export(lib, "nvmlShutdown");
            var getCount = (delegate* unmanaged<uint*, int>)Export(lib, "nvmlDeviceGetCount_v2");
            var getHandle = (delegate* unmanaged<uint, nint*, int>)Export(lib, "nvmlDeviceGetHandleByIndex_v2");
            var getName = (delegate* unmanaged<nint, byte*, uint, int>)Export(lib, "nvmlDeviceGetName");
            var getUuid = (delegate* unmanaged<nint, byte*, uint, int>)Export(lib, "nvmlDeviceGetUUID");
            var getMemory = (delegate* unmanaged<nint, NvmlMemory*, int>)Export(lib, "nvmlDeviceGetMemoryInfo");

            var rc = init();
            if (rc != Success)
            {
                return ([], $"nvmlInit_v2 returned {rc}");
            }

            try
            {
                uint count;
                rc = getCount(&count);
                if (rc != Success)
                {
                    return ([], $"nvmlDeviceGetCount_v2 returned {rc}");
                }

                var gpus = new List<GpuInfo>();
                var buffer = stackalloc byte[256];
                for (uint i = 0; i < count; i++)
                {
                    nint handle;
                    if (getHandle(i, &handle) != Success)
                    {
                        continue;
                    }

                    var gpu = new GpuInfo { Index = (int)i };
                    if (getName(handle, buffer, 256) == Success)
                    {
                        gpu.Model = ReadString(buffer);
                    }

                    if (getUuid(handle, buffer, 256) == Success)
                    {
                        gpu.Uuid = ReadString(buffer);
                    }

                    NvmlMemory memory;
                    if (getMemory(handle, &memory) == Success)
                    {
                        gpu.MemoryMb = (long)(memory.Total / (1024 * 1024));
                    }

                    gpus.Add(gpu);
                }

                return (gpus, null);
            }
            finally
            {
                shutdown();
            }
        }
        catch (EntryPointNotFoundException ex)
        {
            return ([], "libnvidia-ml lacks an expected function: " + ex.Message);
        }
    }

    /// <summary>An exported function of libnvidia-ml (also used by <see cref="NvmlGpuTelemetry"/>).</summary>
    internal static nint Export(nint lib, string name) =>
        NativeLibrary.TryGetExport(lib, name, out var address) ? address : throw new EntryPointNotFoundException(name);

    /// <summary>A NUL-terminated UTF-8 string NVML wrote into a buffer of at most 256 bytes.</summary>
    internal static string ReadString(byte* text)
    {
        var length = 0;
        while (length < 255 && text[length] != 0)
        {
            length++;
        }

        return Encoding.UTF8.GetString(text, length);
    }
}
