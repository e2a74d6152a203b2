using System.Globalization;

namespace MlOps.ServingBench;

/// <summary>Command-line options of the bench, one flat record.</summary>
internal sealed record BenchOptions(
    string[] Models, int[] BatchSizes, int Threads, double Seconds, int Callers, int[] DelaysMicroseconds, double BatcherSeconds, bool Spinning)
{
    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions(["mlp", "cnn"], [1, 8, 16, 32, 64], Environment.ProcessorCount, 2, 64, [0, 1000, 2000], 5, true);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--models" => options with { Models = Next().Split(',') },
                "--batch-sizes" => options with { BatchSizes = Ints(Next()) },
                "--threads" => options with { Threads = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--seconds" => options with { Seconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--callers" => options with { Callers = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--delays-us" => options with { DelaysMicroseconds = Ints(Next()) },
                "--batcher-seconds" => options with { BatcherSeconds = double.Parse(Next(), CultureInfo.InvariantCulture) },
                "--no-spinning" => options with { Spinning = false },
                _ => null,
            };
            if (options is null)
            {
                return null;
            }
        }

        return options;
    }

    public static int Usage()
    {
        Console.Error.WriteLine("usage: MlOps.ServingBench [--models mlp,cnn] [--batch-sizes 1,8,16,32,64] [--threads N] [--seconds 2]");
        Console.Error.WriteLine("                          [--callers 64] [--delays-us 0,1000,2000] [--batcher-seconds 5] [--no-spinning]");
        Console.Error.WriteLine("       MlOps.ServingBench served [--models mlp,cnn] [--clients 64] [--warmup-seconds 3] [--seconds 10] [--latency-seconds 5] [--direct-seconds 3] [--no-spinning]");
        Console.Error.WriteLine("       MlOps.ServingBench served --live-profile off,on [--rounds 3] [--models mlp,cnn] [--clients 64] [--warmup-seconds 3] [--seconds 10]");
        return 2;
    }

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, ONNX Runtime {Microsoft.ML.OnnxRuntime.OrtEnv.Instance().GetVersionString()}; intra-op threads {Threads}, spinning {(Spinning ? "on" : "off")}; {Seconds} s per direct measurement, {BatcherSeconds} s per batcher run");

    private static int[] Ints(string list) => [.. list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
}
