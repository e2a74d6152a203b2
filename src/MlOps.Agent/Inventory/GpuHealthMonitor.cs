using MlOps.Contracts;

namespace MlOps.Agent.Inventory;

/// <summary>
/// Turns NVML readings into each GPU's <see cref="GpuHealth"/>, sent with every heartbeat and used to pick the GPUs a
/// job is pinned to. A GPU is unhealthy when it has uncorrected ECC errors, when a critical Xid other than an
/// application-caused one was seen since the agent started, or when NVML no longer answers for it (docs/gpu.md).
/// An unhealthy GPU stays so until the agent restarts (Xid) or the driver reloads (ECC): a fault is not forgotten
/// because the next reading looks fine.
/// </summary>
internal sealed class GpuHealthMonitor(INvml nvml)
{
    /// <summary>
    /// Xid codes that follow from what a program did, not from a fault of the board, so they do not take a GPU out of
    /// service (NVIDIA's Xid catalogue): 13 graphics engine exception (bad kernel, out-of-range access), 31 GPU memory
    /// page fault (illegal address), 43 GPU stopped processing (a user program's fault), 45 preemptive clean-up after
    /// a killed or faulted program.
    /// </summary>
    public static readonly IReadOnlySet<int> ApplicationXids = new HashSet<int> { 13, 31, 43, 45 };

    private readonly Lock _gate = new();
    private readonly Dictionary<int, XidTally> _xids = [];

    /// <summary>The node's GPUs as NVML listed them.</summary>
    public IReadOnlyList<GpuInfo> Gpus => nvml.Devices;

    /// <summary>Every GPU's health now; reading also collects the Xid errors reported since the last read.</summary>
    public IReadOnlyList<GpuHealth> Read()
    {
        lock (_gate)
        {
            foreach (var xid in nvml.DrainXidEvents())
            {
                var tally = _xids.TryGetValue(xid.Index, out var known) ? known : new XidTally();
                tally.Count++;
                tally.Last = xid.Code;
                if (!ApplicationXids.Contains(xid.Code))
                {
                    tally.Critical ??= xid.Code;
                }

                _xids[xid.Index] = tally;
            }

            var gpus = new List<GpuHealth>(nvml.Devices.Count);
            foreach (var device in nvml.Devices)
            {
                gpus.Add(Health(device, nvml.Sample(device.Index), _xids.GetValueOrDefault(device.Index)));
            }

            return gpus;
        }
    }

    private static GpuHealth Health(GpuInfo device, GpuSample? sample, XidTally? xids)
    {
        var health = new GpuHealth
        {
            Index = device.Index,
            Uuid = device.Uuid,
            MemoryUsedMb = sample?.MemoryUsedMb ?? -1,
            UtilizationPercent = sample?.UtilizationPercent ?? -1,
            TemperatureC = sample?.TemperatureC ?? -1,
            EccUncorrectedErrors = sample?.EccUncorrected ?? -1,
            XidErrors = sample is { XidWatched: true } || xids is not null ? xids?.Count ?? 0 : -1,
            LastXid = xids?.Last ?? 0,
        };

        List<string> problems = [];
        if (sample is null)
        {
            problems.Add("NVML no longer answers for this GPU");
        }

        if (health.EccUncorrectedErrors > 0)
        {
            problems.Add($"{health.EccUncorrectedErrors} uncorrected ECC error(s)");
        }

        if (xids?.Critical is { } critical)
        {
            problems.Add($"critical Xid {critical} reported by the driver");
        }

        health.Healthy = problems.Count == 0;
        health.Problem = string.Join("; ", problems);
        return health;
    }

    private sealed class XidTally
    {
        public long Count { get; set; }

        public int Last { get; set; }

        /// <summary>The first Xid that took the GPU out of service.</summary>
        public int? Critical { get; set; }
    }
}
