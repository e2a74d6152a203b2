using System.Runtime.InteropServices;
using MlOps.Agent.Metrics;

namespace MlOps.Agent.Inventory;

/// <summary>
/// Live GPU readings through NVML for the metrics page. NVML is loaded and initialised on the first scrape and kept
/// until the agent stops (an init per scrape costs tens of milliseconds); a node without the driver gets an empty list
/// on every scrape, after one failed load. Reads are serialised: NVML is thread-safe, but one scrape at a time is plenty.
/// </summary>
internal sealed unsafe class NvmlGpuTelemetry : IGpuTelemetry, IDisposable
{
    private const int Success = 0;
    private const int TemperatureGpu = 0; // NVML_TEMPERATURE_GPU
    private const ulong BytesPerMiB = 1024 * 1024;

    private readonly Lock _gate = new();
    private Api? _api;
    private bool _tried;

    public IReadOnlyList<GpuReading> Read()
    {
        lock (_gate)
        {
            if (!_tried)
            {
                _tried = true;
                _api = Api.TryLoad();
            }

            return _api is { } api ? api.Read() : [];
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _api?.Shutdown();
            _api = null;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlMemory
    {
        public ulong Total;
        public ulong Free;
        public ulong Used;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlUtilization
    {
        public uint Gpu;
        public uint Memory;
    }

    /// <summary>The bound NVML functions, after a successful <c>nvmlInit_v2</c>.</summary>
    private sealed class Api
    {
        private delegate* unmanaged<int> _shutdown;
        private delegate* unmanaged<uint*, int> _getCount;
        private delegate* unmanaged<uint, nint*, int> _getHandle;
        private delegate* unmanaged<nint, byte*, uint, int> _getName;
        private delegate* unmanaged<nint, byte*, uint, int> _getUuid;
        private delegate* unmanaged<nint, NvmlMemory*, int> _getMemory;
        private delegate* unmanaged<nint, NvmlUtilization*, int> _getUtilization;
        private delegate* unmanaged<nint, int, uint*, int> _getTemperature;
        private delegate* unmanaged<nint, uint*, int> _getPower;

        public static Api? TryLoad()
        {
            if (!NativeLibrary.TryLoad("libnvidia-ml.so.1", out var lib) && !NativeLibrary.TryLoad("libnvidia-ml.so", out lib))
            {
                return null;
            }

            try
            {
                var api = new Api
                {
                    _shutdown = (delegate* unmanaged<int>)Export(lib, "nvmlShutdown"),
                    _getCount = (delegate* unmanaged<uint*, int>)Export(lib, "nvmlDeviceGetCount_v2"),
                    _getHandle = (delegate* unmanaged<uint, nint*, int>)Export(lib, "nvmlDeviceGetHandleByIndex_v2"),
                    _getName = (delegate* unmanaged<nint, byte*, uint, int>)Export(lib, "nvmlDeviceGetName"),
                    _getUuid = (delegate* unmanaged<nint, byte*, uint, int>)Export(lib, "nvmlDeviceGetUUID"),
                    _getMemory = (delegate* unmanaged<nint, NvmlMemory*, int>)Export(lib, "nvmlDeviceGetMemoryInfo"),
                    _getUtilization = (delegate* unmanaged<nint, NvmlUtilization*, int>)Export(lib, "nvmlDeviceGetUtilizationRates"),
                    _getTemperature = (delegate* unmanaged<nint, int, uint*, int>)Export(lib, "nvmlDeviceGetTemperature"),
                    _getPower = (delegate* unmanaged<nint, uint*, int>)Export(lib, "nvmlDeviceGetPowerUsage"),
                };
                var init = (delegate* unmanaged<int>)Export(lib, "nvmlInit_v2");
                return init() == Success ? api : null;
            }
            catch (EntryPointNotFoundException)
            {
                return null;
            }
        }

        public IReadOnlyList<GpuReading> Read()
        {
            uint count;
            if (_getCount(&count) != Success)
            {
                return [];
            }

            var gpus = new List<GpuReading>((int)count);
            var buffer = stackalloc byte[256];
            for (uint i = 0; i < count; i++)
            {
                nint handle;
                if (_getHandle(i, &handle) != Success)
                {
                    continue;
                }

                var name = _getName(handle, buffer, 256) == Success ? ReadString(buffer) : "";
                var uuid = _getUuid(handle, buffer, 256) == Success ? ReadString(buffer) : "";
                NvmlMemory memory;
                var hasMemory = _getMemory(handle, &memory) == Success;
                NvmlUtilization utilization;
                uint temperature, milliwatts;
                gpus.Add(new GpuReading(
                    (int)i, uuid, name,
                    _getUtilization(handle, &utilization) == Success ? utilization.Gpu : null,
                    hasMemory ? memory.Used / BytesPerMiB : null, // whole MiB, as DCGM reports them
                    hasMemory ? memory.Free / BytesPerMiB : null,
                    _getTemperature(handle, TemperatureGpu, &temperature) == Success ? temperature : null,
                    _getPower(handle, &milliwatts) == Success ? milliwatts / 1000.0 : null));
            }

            return gpus;
        }

        public void Shutdown() => _shutdown();

        private static nint Export(nint lib, string name) => NvmlGpuProbe.Export(lib, name);

        private static string ReadString(byte* text) => NvmlGpuProbe.ReadString(text);
    }
}
