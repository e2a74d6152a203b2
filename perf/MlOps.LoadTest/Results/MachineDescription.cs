using System.Runtime.InteropServices;

namespace MlOps.LoadTest.Results;

/// <summary>The machine a report was measured on: enough to tell two results' machines apart.</summary>
public sealed record MachineDescription(
    string Host, string Os, string Cpu, int Cores, long MemoryBytes, string Runtime, double? LoadAverage)
{
    /// <summary>Describes this machine from <c>/proc</c> where there is one.</summary>
    public static MachineDescription Current() => new(
        Environment.MachineName,
        RuntimeInformation.OSDescription,
        CpuModel() ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Environment.ProcessorCount,
        GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        RuntimeInformation.FrameworkDescription,
        ReadLoadAverage());

    private static string? CpuModel()
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path))
        {
            return null;
        }

        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static double? ReadLoadAverage()
    {
        const string path = "/proc/loadavg";
        if (!File.Exists(path))
        {
            return null;
        }

        var first = File.ReadAllText(path).Split(' ', 2)[0];
        return double.TryParse(first, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
    }
}
