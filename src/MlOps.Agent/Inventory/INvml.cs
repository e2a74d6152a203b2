using MlOps.Contracts;

namespace MlOps.Agent.Inventory;

/// <summary>
/// The NVML readings GPU health is built from (<see cref="GpuHealthMonitor"/>), behind an interface so the health rule
/// and GPU pinning can be tested without a driver. Without NVML there are no devices, which is not an error.
/// </summary>
internal interface INvml
{
    /// <summary>The GPUs NVML listed when it was first asked (index, UUID, model, memory); empty without NVML.</summary>
    IReadOnlyList<GpuInfo> Devices { get; }

    /// <summary>One GPU's readings now; null when NVML no longer answers for it (fallen off the bus, say).</summary>
    GpuSample? Sample(int index);

    /// <summary>The critical Xid errors reported since the last call, oldest first (empty when none or when the driver
    /// cannot report them; see <see cref="GpuSample.XidWatched"/>).</summary>
    IReadOnlyList<XidEvent> DrainXidEvents();
}

/// <summary>One GPU's readings; -1 for a value the card or driver cannot give (NOT_SUPPORTED, an older driver).</summary>
/// <param name="MemoryUsedMb">Device memory in use, MiB.</param>
/// <param name="UtilizationPercent">Percent of NVML's last sample period a kernel ran.</param>
/// <param name="TemperatureC">Core temperature, °C.</param>
/// <param name="EccUncorrected">Uncorrected ECC errors since the driver loaded (volatile counter).</param>
/// <param name="XidWatched">Whether Xid errors of this GPU reach <see cref="INvml.DrainXidEvents"/>.</param>
internal sealed record GpuSample(long MemoryUsedMb, int UtilizationPercent, int TemperatureC, long EccUncorrected, bool XidWatched);

/// <summary>A critical Xid error (<c>nvmlEventTypeXidCriticalError</c>) on the GPU at <paramref name="Index"/>.</summary>
internal readonly record struct XidEvent(int Index, int Code);
