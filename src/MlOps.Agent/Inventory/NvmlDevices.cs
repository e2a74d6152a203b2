using System.Runtime.InteropServices;
using System.Text;
using MlOps.Contracts;

namespace MlOps.Agent.Inventory;

/// <summary>
/// <see cref="INvml"/> over libnvidia-ml: the agent's one binding of NVML, shared by the inventory, GPU health and the
/// metrics page. Loaded and initialised on first use and shut down once, when the agent stops (an init per read costs
/// tens of milliseconds). Without the library (or when <c>nvmlInit_v2</c> fails) there are no devices and
/// <see cref="Problem"/> says why. A reading the driver lacks (a missing export on an older driver, NOT_SUPPORTED on
/// the board) is -1; a GPU whose memory info NVML no longer gives is reported as not answering. Xid errors come from
/// an NVML event set polled with a 0 ms wait on each read.
/// </summary>
internal sealed unsafe class NvmlDevices : INvml, IDisposable
{
    private const int Success = 0;
    private const int TemperatureGpu = 0; // NVML_TEMPERATURE_GPU
    private const int MemoryErrorUncorrected = 1; // NVML_MEMORY_ERROR_TYPE_UNCORRECTED
    private const int VolatileEcc = 0; // NVML_VOLATILE_ECC
    private const ulong XidCriticalError = 0x8; // nvmlEventTypeXidCriticalError
    private const int MaxEventsPerPoll = 64;
    private const ulong BytesPerMiB = 1024 * 1024;
    private const int StringBufferSize = 256;

    private readonly Lock _gate = new();
    private bool _loaded;
    private IReadOnlyList<GpuInfo> _devices = [];
    private string? _problem;
    private nint[] _handles = [];
    private bool[] _xidWatched = [];
    private nint _eventSet;

    private delegate* unmanaged<int> _shutdown;
    private delegate* unmanaged<nint, NvmlMemory*, int> _getMemory;
    private delegate* unmanaged<nint, NvmlUtilization*, int> _getUtilization;
    private delegate* unmanaged<nint, int, uint*, int> _getTemperature;
    private delegate* unmanaged<nint, uint*, int> _getPower;
    private delegate* unmanaged<nint, int, int, ulong*, int> _getEcc;
    private delegate* unmanaged<nint, NvmlEventData*, uint, int> _eventWait;
    private delegate* unmanaged<nint, int> _eventSetFree;

    public IReadOnlyList<GpuInfo> Devices
    {
        get
        {
            lock (_gate)
            {
                EnsureLoaded();
                return _devices;
            }
        }
    }

    public string? Problem
    {
        get
        {
            lock (_gate)
            {
                EnsureLoaded();
                return _problem;
            }
        }
    }

    public GpuSample? Sample(int index)
    {
        lock (_gate)
        {
            EnsureLoaded();
            if (index < 0 || index >= _handles.Length || _handles[index] == 0)
            {
                return null;
            }

            var handle = _handles[index];
            NvmlMemory memory;
            if (_getMemory(handle, &memory) != Success)
            {
                return null;
            }

            NvmlUtilization utilization;
            uint temperature, milliwatts;
            ulong ecc;
            return new GpuSample(
                (long)(memory.Used / BytesPerMiB), // whole MiB, as DCGM reports them
                (long)(memory.Free / BytesPerMiB),
                _getUtilization != null && _getUtilization(handle, &utilization) == Success ? (int)utilization.Gpu : -1,
                _getTemperature != null && _getTemperature(handle, TemperatureGpu, &temperature) == Success ? (int)temperature : -1,
                _getPower != null && _getPower(handle, &milliwatts) == Success ? (long)milliwatts : -1,
                _getEcc != null && _getEcc(handle, MemoryErrorUncorrected, VolatileEcc, &ecc) == Success ? (long)ecc : -1,
                _xidWatched[index]);
        }
    }

    public IReadOnlyList<XidEvent> DrainXidEvents()
    {
        lock (_gate)
        {
            EnsureLoaded();
            if (_eventSet == 0)
            {
                return [];
            }

            var events = new List<XidEvent>();
            NvmlEventData data;
            // A 0 ms wait returns NVML_ERROR_TIMEOUT at once when nothing is pending.
            for (var i = 0; i < MaxEventsPerPoll && _eventWait(_eventSet, &data, 0) == Success; i++)
            {
                if ((data.EventType & XidCriticalError) != 0 && Array.IndexOf(_handles, data.Device) is var index and >= 0)
                {
                    events.Add(new XidEvent(index, (int)data.EventData));
                }
            }

            return events;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_eventSet != 0 && _eventSetFree != null)
            {
                _eventSetFree(_eventSet);
            }

            if (_shutdown != null)
            {
                _shutdown();
            }

            // Loaded or not, NVML stays shut: a read racing the agent's stop must not initialise it again.
            _loaded = true;
            _eventSet = 0;
            _shutdown = null;
            _handles = [];
            _devices = [];
        }
    }

    private void EnsureLoaded()
    {
        if (_loaded)
        {
            return;
        }

        _loaded = true;
        if (!NativeLibrary.TryLoad("libnvidia-ml.so.1", out var lib) && !NativeLibrary.TryLoad("libnvidia-ml.so", out lib))
        {
            _problem = "libnvidia-ml not found (no NVIDIA driver on this node)";
            return;
        }

        string? missing = null;
        nint Required(string name)
        {
            var address = Optional(lib, name);
            missing ??= address == 0 ? name : null;
            return address;
        }

        var init = (delegate* unmanaged<int>)Required("nvmlInit_v2");
        var shutdown = (delegate* unmanaged<int>)Required("nvmlShutdown");
        var getCount = (delegate* unmanaged<uint*, int>)Required("nvmlDeviceGetCount_v2");
        var getHandle = (delegate* unmanaged<uint, nint*, int>)Required("nvmlDeviceGetHandleByIndex_v2");
        var getName = (delegate* unmanaged<nint, byte*, uint, int>)Required("nvmlDeviceGetName");
        var getUuid = (delegate* unmanaged<nint, byte*, uint, int>)Required("nvmlDeviceGetUUID");
        _getMemory = (delegate* unmanaged<nint, NvmlMemory*, int>)Required("nvmlDeviceGetMemoryInfo");
        if (missing is not null)
        {
            _problem = "libnvidia-ml lacks an expected function: " + missing;
            return;
        }

        var rc = init();
        if (rc != Success)
        {
            _problem = $"nvmlInit_v2 returned {rc}";
            return;
        }

        _shutdown = shutdown;
        _getUtilization = (delegate* unmanaged<nint, NvmlUtilization*, int>)Optional(lib, "nvmlDeviceGetUtilizationRates");
        _getTemperature = (delegate* unmanaged<nint, int, uint*, int>)Optional(lib, "nvmlDeviceGetTemperature");
        _getPower = (delegate* unmanaged<nint, uint*, int>)Optional(lib, "nvmlDeviceGetPowerUsage");
        _getEcc = (delegate* unmanaged<nint, int, int, ulong*, int>)Optional(lib, "nvmlDeviceGetTotalEccErrors");

        uint count;
        rc = getCount(&count);
        if (rc != Success)
        {
            _problem = $"nvmlDeviceGetCount_v2 returned {rc}";
            return;
        }

        var handles = new nint[count];
        var devices = new List<GpuInfo>();
        var buffer = stackalloc byte[StringBufferSize];
        for (uint i = 0; i < count; i++)
        {
            nint handle;
            if (getHandle(i, &handle) != Success)
            {
                continue;
            }

            handles[i] = handle;
            var gpu = new GpuInfo { Index = (int)i };
            if (getName(handle, buffer, StringBufferSize) == Success)
            {
                gpu.Model = ReadString(buffer);
            }

            if (getUuid(handle, buffer, StringBufferSize) == Success)
            {
                gpu.Uuid = ReadString(buffer);
            }

            NvmlMemory memory;
            if (_getMemory(handle, &memory) == Success)
            {
                gpu.MemoryMb = (long)(memory.Total / BytesPerMiB);
            }

            devices.Add(gpu);
        }

        _handles = handles;
        _devices = devices;
        _xidWatched = new bool[count];
        WatchXid(lib, handles);
    }

    /// <summary>Registers every GPU for critical Xid events, where the driver allows it (not on every board or driver).</summary>
    private void WatchXid(nint lib, nint[] handles)
    {
        var create = (delegate* unmanaged<nint*, int>)Optional(lib, "nvmlEventSetCreate");
        var register = (delegate* unmanaged<nint, ulong, nint, int>)Optional(lib, "nvmlDeviceRegisterEvents");
        _eventWait = (delegate* unmanaged<nint, NvmlEventData*, uint, int>)Optional(lib, "nvmlEventSetWait_v2");
        _eventSetFree = (delegate* unmanaged<nint, int>)Optional(lib, "nvmlEventSetFree");
        nint set;
        if (create == null || register == null || _eventWait == null || create(&set) != Success)
        {
            return;
        }

        var any = false;
        for (var i = 0; i < handles.Length; i++)
        {
            _xidWatched[i] = handles[i] != 0 && register(handles[i], XidCriticalError, set) == Success;
            any |= _xidWatched[i];
        }

        if (any)
        {
            _eventSet = set;
        }
        else if (_eventSetFree != null)
        {
            _eventSetFree(set);
        }
    }

    private static nint Optional(nint lib, string name) => NativeLibrary.TryGetExport(lib, name, out var address) ? address : 0;

    /// <summary>A NUL-terminated UTF-8 string NVML wrote into a buffer of <see cref="StringBufferSize"/> bytes.</summary>
    private static string ReadString(byte* text)
    {
        var length = 0;
        while (length < StringBufferSize - 1 && text[length] != 0)
        {
            length++;
        }

        return Encoding.UTF8.GetString(text, length);
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

    /// <summary><c>nvmlEventData_t</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct NvmlEventData
    {
        public nint Device;
        public ulong EventType;
        public ulong EventData;
        public uint GpuInstanceId;
        public uint ComputeInstanceId;
    }
}
