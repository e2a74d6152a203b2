using MlOps.ServiceDefaults.Metrics;

namespace MlOps.Agent.Metrics;

/// <summary>
/// GPU series under the names, units and labels of NVIDIA's DCGM exporter (<c>DCGM_FI_DEV_*</c>, labels <c>gpu</c>,
/// <c>UUID</c>, <c>modelName</c>), so dashboards and alerts written for DCGM work on these nodes too. Only the fields
/// NVML gives without DCGM are here. With no GPU the families are not written at all.
/// </summary>
internal static class GpuMetricsExposition
{
    private static readonly (string Name, string Help, Func<GpuReading, double?> Value)[] Families =
    [
        ("DCGM_FI_DEV_GPU_UTIL", "GPU utilization (in %).", g => g.UtilizationPercent),
        ("DCGM_FI_DEV_FB_USED", "Framebuffer memory used (in MiB).", g => g.FramebufferUsedMiB),
        ("DCGM_FI_DEV_FB_FREE", "Framebuffer memory free (in MiB).", g => g.FramebufferFreeMiB),
        ("DCGM_FI_DEV_GPU_TEMP", "GPU temperature (in C).", g => g.TemperatureCelsius),
        ("DCGM_FI_DEV_POWER_USAGE", "Power draw (in W).", g => g.PowerWatts),
    ];

    public static void Write(PrometheusTextWriter writer, IReadOnlyList<GpuReading> gpus)
    {
        foreach (var (name, help, value) in Families)
        {
            var samples = gpus.Where(g => value(g) is not null).ToList();
            if (samples.Count == 0)
            {
                continue;
            }

            writer.Family(name, MetricType.Gauge, help);
            foreach (var gpu in samples)
            {
                writer.Sample(name, Labels(gpu), value(gpu)!.Value);
            }
        }
    }

    private static string Labels(GpuReading gpu) => PrometheusTextWriter.Labels(
        ("gpu", gpu.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("UUID", gpu.Uuid), ("modelName", gpu.ModelName));
}
