using System.CommandLine;
using MlOps.LoadTest.InProcess;

namespace MlOps.LoadTest.Cli;

/// <summary>
/// <c>mlops-loadtest inprocess --onnx FILE --batch N</c>: ONNX Runtime in this process with the server's settings,
/// the limit a served model's throughput is compared with.
/// </summary>
internal static class InProcessCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var onnx = new Option<string>("--onnx") { Description = "ONNX model file", HelpName = "FILE", Required = true };
        var batches = new Option<int[]>("--batch") { Description = "Batch sizes (repeatable, default 1)", HelpName = "N" };
        var seconds = new Option<double>("--seconds") { Description = "Measured seconds per batch size (default 10)", HelpName = "S", DefaultValueFactory = _ => 10 };
        var command = new Command("inprocess", "Measure in-process ONNX Runtime throughput (the limit for served throughput)") { onnx, batches, seconds };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetValue(onnx)!;
            var sizes = parseResult.GetValue(batches) is { Length: > 0 } b ? b : [1];
            var duration = TimeSpan.FromSeconds(parseResult.GetValue(seconds));
            if (sizes.Any(s => s < 1) || duration <= TimeSpan.Zero)
            {
                throw new UsageException("--batch must be at least 1 and --seconds positive");
            }

            await stdout.WriteLineAsync("batch  samples/s      p50 ms/batch  p99 ms/batch  intra-op threads");
            foreach (var size in sizes)
            {
                var result = await Task.Run(() => InProcessLimit.Measure(path, size, duration, new InProcessSettings()), cancellationToken);
                await stdout.WriteLineAsync($"{result.BatchSize,5}  {result.SamplesPerSecond,13:N0}  {result.P50Ms,12:0.###}  {result.P99Ms,12:0.###}  {result.IntraOpThreads,16}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
