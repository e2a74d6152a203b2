namespace MlOps.Agent.Metrics;

/// <summary>
/// One GPU's state at a scrape. A value the driver could not give (a field unsupported on the board, say) is null and
/// its series is left out rather than written as zero.
/// </summary>
/// <param name="Index">NVML's device index (DCGM's <c>gpu</c> label).</param>
/// <param name="Uuid">The board's UUID, <c>GPU-...</c>.</param>
/// <param name="ModelName">The product name, e.g. <c>NVIDIA H100 80GB HBM3</c>.</param>
/// <param name="UtilizationPercent">Percent of the last sample period a kernel ran.</param>
/// <param name="FramebufferUsedMiB">Device memory in use, MiB.</param>
/// <param name="FramebufferFreeMiB">Device memory free, MiB.</param>
/// <param name="TemperatureCelsius">GPU core temperature, °C.</param>
/// <param name="PowerWatts">Power draw of the board, W.</param>
internal sealed record GpuReading(
    int Index, string Uuid, string ModelName,
    double? UtilizationPercent, double? FramebufferUsedMiB, double? FramebufferFreeMiB, double? TemperatureCelsius, double? PowerWatts);

/// <summary>Reads the node's GPUs for the metrics page; no GPUs (or no driver) is an empty list, never an error.</summary>
internal interface IGpuTelemetry
{
    IReadOnlyList<GpuReading> Read();
}
