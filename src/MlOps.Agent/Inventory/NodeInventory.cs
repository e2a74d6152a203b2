using System.Globalization;
using MlOps.Agent.Options;
using MlOps.Contracts;

namespace MlOps.Agent.Inventory;

/// <summary>What this node offers to jobs: CPU cores, memory and GPUs (through NVML when present).</summary>
internal static class NodeInventory
{
    /// <summary>The capacity a hello carries, and why it has no GPUs when NVML did not answer (<see cref="INvml.Problem"/>).</summary>
    public static (AgentCapacity Capacity, string? GpuProblem) Read(AgentOptions options, INvml nvml)
    {
        var capacity = new AgentCapacity
        {
            CpuCores = options.CpuCores > 0 ? options.CpuCores : Environment.ProcessorCount,
            MemoryMb = options.MemoryMb > 0 ? options.MemoryMb : TotalMemoryMb(),
        };
        // Copies: the capacity is sent and kept by callers, the devices stay NVML's.
        capacity.Gpus.AddRange(nvml.Devices.Select(gpu => gpu.Clone()));
        return (capacity, nvml.Problem);
    }

    /// <summary>MemTotal from /proc/meminfo, falling back to what the runtime sees.</summary>
    internal static long TotalMemoryMb()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line.AsSpan(9).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                    return kb / 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024 * 1024);
    }
}
