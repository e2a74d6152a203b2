using System.Globalization;

namespace MlOps.ExportBench;

/// <summary>Command-line options of the bench, one flat record.</summary>
internal sealed record BenchOptions(string Command, string? Example, int Runs, int Threads, int? Epochs, string? Output)
{
    public static BenchOptions Parse(string[] args)
    {
        var command = args.Length > 0 ? args[0] : "";
        string? example = args.Length > 1 && !args[1].StartsWith("--", StringComparison.Ordinal) ? args[1] : null;
        int runs = 20, threads = 2;
        int? epochs = null;
        string? output = null;
        for (var i = 1; i < args.Length - 1; i++)
        {
            switch (args[i])
            {
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--output": output = args[++i]; break;
            }
        }

        return new BenchOptions(command, example, runs, threads, epochs, output);
    }

    public static int Usage()
    {
        Console.Error.WriteLine("usage: MlOps.ExportBench export [--runs 20] [--threads 2]");
        Console.Error.WriteLine("       MlOps.ExportBench train EXAMPLE.yaml [--threads 2] [--epochs N] [--output DIR]");
        return 2;
    }
}
