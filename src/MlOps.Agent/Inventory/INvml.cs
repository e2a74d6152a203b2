using MlOps.Contracts;

namespace MlOps.Agent.Inventory;

/// <summary>
/// The node's GPUs as NVML gives them: the inventory (<see cref="NodeInventory"/>), GPU health and pinning
/// (<see cref="GpuHealthMonitor"/>) and the metrics page (<see cref="Metrics.NvmlGpuTelemetry"/>) all read them here,
/// behind an interface so they can be tested without a driver. Without NVML there are no devices, which is not an error.
/// </summary>
internal interface INvml
{
    /// <summary>The GPUs NVML listed when it was first asked (index, UUID, model, memory); empty without NVML.</summary>
    IReadOnlyList<GpuInfo> Devices { get; }

    /// <summary>Why there are no devices (no libnvidia-ml, <c>nvmlInit_v2</c> failed, ...); null when NVML answered.</summary>
    string? Problem { get; }

    /// <summary>One GPU's readings now; null when NVML no longer answers for it (fallen off the bus, say).</summary>
    GpuSample? Sample(int index);

    /// <summary>The critical Xid errors reported since the last call, oldest first (empty when none or when the driver
    /// cannot report them; see <see cref="GpuSample.XidWatched"/>).</summary>
    IReadOnlyList<XidEvent> DrainXidEvents();
}

/// <summary>One GPU's readings; -1 for a value the card or driver cannot give (NOT_SUPPORTED, an older driver).</summary>
/// <param name="MemoryUsedMb">Device memory in use, whole MiB.</param>
/// <param name="MemoryFreeMb">Device memory free, whole MiB.</param>
/// <param name="UtilizationPercent">Percent of NVML's last sample period a kernel ran.</param>
/// <param name="TemperatureC">Core temperature, °C.</param>
/// <param name="PowerMilliwatts">Power draw of the board, mW.</param>
/// <param name="EccUncorrected">Uncorrected ECC errors since the driver loaded (volatile counter).</param>
/// <param name="XidWatched">Whether Xid errors of this GPU reach <see cref="INvml.DrainXidEvents"/>.</param>
internal sealed record GpuSample(
    long MemoryUsedMb, long MemoryFreeMb, int UtilizationPercent, int TemperatureC, long PowerMilliwatts, long EccUncorrected, bool XidWatched);

/// <summary>A critical Xid error (<c>nvmlEventTypeXidCriticalError</c>) on the GPU at <paramref name="Index"/>.</summary>
internal readonly record struct XidEvent(int Index, int Code);
