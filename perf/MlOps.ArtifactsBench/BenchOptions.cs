using System.Globalization;

namespace MlOps.ArtifactsBench;

/// <summary>Command-line options of the benchmark, with their defaults.</summary>
internal sealed record BenchOptions(long SizeBytes, int Runs, int ChunkBytes, string? WorkDirectory)
{
    public static BenchOptions Parse(string[] args)
    {
        long sizeMb = 200;
        var runs = 5;
        var chunkMb = 16;
        string? work = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--size-mb":
                    sizeMb = long.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--runs":
                    runs = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--chunk-mb":
                    chunkMb = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--work":
                    work = args[i + 1];
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]}; options: --size-mb N --runs N --chunk-mb N --work DIR");
            }
        }

        return new BenchOptions(sizeMb * 1_000_000, runs, chunkMb * 1024 * 1024, work);
    }
}
