using MlOps.Agent.Inventory;

namespace MlOps.Agent.Metrics;

/// <summary>
/// The metrics page's GPU readings, read at each scrape from the agent's one NVML (<see cref="INvml"/>, loaded on first
/// use and shut down when the agent stops). A reading the board cannot give (-1) is null, so its series is left out; a
/// GPU NVML no longer answers for has no series at all (its health says so). Without NVML the list is empty.
/// </summary>
internal sealed class NvmlGpuTelemetry(INvml nvml) : IGpuTelemetry
{
    private const double MilliwattsPerWatt = 1000.0;

    public IReadOnlyList<GpuReading> Read()
    {
        var devices = nvml.Devices;
        var readings = new List<GpuReading>(devices.Count);
        foreach (var device in devices)
        {
            if (nvml.Sample(device.Index) is not { } sample)
            {
                continue;
            }

            readings.Add(new GpuReading(
                device.Index, device.Uuid, device.Model,
                Known(sample.UtilizationPercent),
                Known(sample.MemoryUsedMb),
                Known(sample.MemoryFreeMb),
                Known(sample.TemperatureC),
                Known(sample.PowerMilliwatts) / MilliwattsPerWatt));
        }

        return readings;
    }

    private static double? Known(long value) => value >= 0 ? value : null;
}
