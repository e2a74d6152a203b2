using System.CommandLine;
using MlOps.LoadTest.InProcess;

namespace MlOps.LoadTest.Cli;

/// <summary>
/// <c>mlops-loadtest inprocess --onnx FILE --batch N [--provider cpu|cuda|auto]</c>: ONNX Runtime in this process with
/// the server's settings, the limit a served model's throughput is compared with; the last column names the provider
/// the session actually ran on.
/// </summary>
internal static class InProcessCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var onnx = new Option<string>("--onnx") { Description = "ONNX model file", HelpName = "FILE", Required = true };
        var batches = new Option<int[]>("--batch") { Description = "Batch sizes (repeatable, default 1)", HelpName = "N" };
        var seconds = new Option<double>("--seconds") { Description = "Measured seconds per batch size (default 10)", HelpName = "S", DefaultValueFactory = _ => 10 };
        var provider = new Option<InProcessProvider>("--provider")
        {
            Description = "Execution provider: cpu (default), cuda (fails unless this ONNX Runtime build offers CUDA) or auto",
            HelpName = "cpu|cuda|auto",
            DefaultValueFactory = _ => InProcessProvider.Cpu,
        };
        var device = new Option<int>("--device") { Description = "CUDA device ordinal (default 0)", HelpName = "N" };
        var command = new Command("inprocess", "Measure in-process ONNX Runtime throughput (the limit for served throughput)")
        {
            onnx, batches, seconds, provider, device,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var path = parseResult.GetValue(onnx)!;
            var sizes = parseResult.GetValue(batches) is { Length: > 0 } b ? b : [1];
            var duration = TimeSpan.FromSeconds(parseResult.GetValue(seconds));
            if (sizes.Any(s => s < 1) || duration <= TimeSpan.Zero || parseResult.GetValue(device) < 0)
            {
                throw new UsageException("--batch must be at least 1, --seconds positive and --device 0 or more");
            }

            var settings = new InProcessSettings { Provider = parseResult.GetValue(provider), CudaDeviceId = parseResult.GetValue(device) };
            await stdout.WriteLineAsync("batch  samples/s      p50 ms/batch  p99 ms/batch  intra-op threads  provider");
            foreach (var size in sizes)
            {
                var result = await Task.Run(() => InProcessLimit.Measure(path, size, duration, settings), cancellationToken);
                await stdout.WriteLineAsync(
                    $"{result.BatchSize,5}  {result.SamplesPerSecond,13:N0}  {result.P50Ms,12:0.###}  {result.P99Ms,12:0.###}  {result.IntraOpThreads,16}  {result.Provider}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
