using MlOps.LoadTest.Reports;
using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Cli;

/// <summary>Writes reports and the machine description into a results directory and says where they went.</summary>
internal static class ResultsOutput
{
    public static async Task WriteAsync(IEnumerable<(LoadReport Report, string BaseName)> reports, string directory, TextWriter stdout)
    {
        Directory.CreateDirectory(directory);
        var list = reports.ToList();
        foreach (var (report, baseName) in list)
        {
            ConsoleTable.Write(report, stdout);
            await stdout.WriteLineAsync();
            var files = ReportWriter.WriteAll(report, directory, baseName);
            await stdout.WriteLineAsync($"report: {string.Join(", ", files.All)}");
        }

        if (list.Count > 0)
        {
            var machine = list[0].Report.Machine;
            await File.WriteAllTextAsync(Path.Combine(directory, "machine.txt"),
                $"host: {machine.Host}\ncpu: {machine.Cpu}\ncores: {machine.Cores}\nmemory: {machine.MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB\n" +
                $"os: {machine.Os}\nruntime: {machine.Runtime}\nload average (1 min) at the end: {machine.LoadAverage}\n" +
                $"commit: {list[0].Report.Commit ?? "unknown"}\ndate: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC\n");
        }
    }
}
