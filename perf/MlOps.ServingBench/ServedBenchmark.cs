using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Repository;
using MlOps.Serving.Protocol;
using MlOps.Contracts.Inference;

namespace MlOps.ServingBench;

/// <summary>Options of the <c>served</c> command. With <c>Streaming</c> the clients send over one <c>ModelStreamInfer</c>
/// stream each (perf_analyzer's <c>--streaming</c>): one HTTP/2 stream per client instead of one per request.</summary>
internal sealed record ServedOptions(string[] Models, int Clients, double WarmupSeconds, double Seconds, double LatencySeconds, double DirectSeconds,
    bool Spinning = true, bool Streaming = false, int IntraOpThreads = 0, int MaxBatch = 0, bool Lean = false,
    string[]? LiveProfile = null, int Rounds = 3)
{
    public static ServedOptions? Parse(IEnumerable<string> args)
    {
        var o = new ServedOptions(["mlp", "cnn"], 64, 3, 10, 5, 3);
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var flag = e.Current;
            string Next() => e.MoveNext() ? e.Current : throw new ArgumentException($"{flag} needs a value");
            double D() => double.Parse(Next(), CultureInfo.InvariantCulture);
            o = flag switch
            {
                "--models" => o with { Models = Next().Split(',') },
                "--clients" => o with { Clients = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--warmup-seconds" => o with { WarmupSeconds = D() },
                "--seconds" => o with { Seconds = D() },
                "--latency-seconds" => o with { LatencySeconds = D() },
                "--direct-seconds" => o with { DirectSeconds = D() },
                "--no-spinning" => o with { Spinning = false },
                "--streaming" => o with { Streaming = true },
                "--lean-client" => o with { Lean = true },
                "--intra-op-threads" => o with { IntraOpThreads = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--max-batch" => o with { MaxBatch = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--live-profile" => o with { LiveProfile = Next().Split(',') },
                "--rounds" => o with { Rounds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                _ => null,
            };
            if (o is null)
            {
                return null;
            }
        }

        return o;
    }
}

/// <summary>
/// The real serving stack in-process (Kestrel HTTP/2 on 127.0.0.1, AddModelHost + AddOpenInference + MapOpenInference,
/// the model loaded with ModelRepository.LoadVersionAsync) driven by gRPC clients in a <b>child process</b>
/// (<c>served-client</c>, a real GrpcChannel over loopback), so that this process's CPU time is the server's alone.
/// (b) throughput with N closed-loop batch-1 clients vs in-process ORT at the formed batch size;
/// (c) p50/p99 at batch 1 with one client vs in-process ORT batch 1;
/// (d) server CPU per request minus ORT's CPU per sample at the formed batch size.
/// </summary>
internal static class ServedBenchmark
{
    public static async Task<int> RunAsync(ServedOptions options)
    {
        if (options.LiveProfile is not null)
        {
            return await LiveProfileBenchmark.RunAsync(options);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"served: {Environment.ProcessorCount} cores, .NET {Environment.Version}, ONNX Runtime {OrtEnv.Instance().GetVersionString()}; host defaults (intra-op threads = cores, spinning {(options.Spinning ? "on" : "off")}, max batch 64, queue delay 0); {options.Clients} clients, {options.WarmupSeconds} s warm-up, {options.Seconds} s measured; latency {options.LatencySeconds} s; clients in a child process"));
        var bench = new BenchOptions(options.Models, [1], Environment.ProcessorCount, options.DirectSeconds, options.Clients, [0], 0, true);
        foreach (var model in BenchModels.Load(bench))
        {
            try
            {
                await RunModelAsync(model, options);
            }
            finally
            {
                File.Delete(model.Path);
            }
        }

        return 0;
    }

    private static async Task RunModelAsync(BenchModel model, ServedOptions options)
    {
        var (app, address, repository) = await StartHostAsync(options);
        await using var _ = app;
        var version = await repository.LoadVersionAsync(model.Name, "1", model.Path, model.Digest);

        // (b)+(d): N clients, server CPU and formed batches over the measured window.
        ClientResult load;
        TimeSpan serverCpu;
        List<(int BatchSize, long Count)> formed;
        {
            using var child = StartClient(address, model.Name, options.Clients, options.WarmupSeconds, options.Seconds, options.Streaming, options.Lean);
            await ExpectAsync(child, "START");
            var before = version.BatchStatistics.ToDictionary(b => b.BatchSize, b => b.ExecutionCount);
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var endLine = await ExpectAsync(child, "END");
            var cpu1 = Process.GetCurrentProcess().TotalProcessorTime;
            formed = [.. version.BatchStatistics.Select(b => (b.BatchSize, Count: b.ExecutionCount - before.GetValueOrDefault(b.BatchSize))).Where(b => b.Count > 0)];
            serverCpu = cpu1 - cpu0;
            load = ClientResult.Parse(endLine);
            await child.WaitForExitAsync();
        }

        // (c): one client, batch 1.
        ClientResult single;
        {
            using var child = StartClient(address, model.Name, 1, 1, options.LatencySeconds, options.Streaming, options.Lean);
            await ExpectAsync(child, "START");
            single = ClientResult.Parse(await ExpectAsync(child, "END"));
            await child.WaitForExitAsync();
        }

        await app.StopAsync();
        await repository.DisposeAsync();

        var executions = formed.Sum(b => b.Count);
        var rows = formed.Sum(b => (long)b.BatchSize * b.Count);
        var meanBatch = (double)rows / executions;
        // Compare at the mean formed batch (rounded): the batch sizes spread widely when the cores are busy.
        var compareBatch = Math.Clamp((int)Math.Round(meanBatch), 1, Math.Max(64, options.MaxBatch));
        var top = string.Join(", ", formed.OrderByDescending(b => b.Count).Take(4)
            .Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.BatchSize} ({100.0 * b.Count / executions:F0}%)")));

        // In-process ORT with the host's session settings, after the server is gone (no competition for the cores).
        var atFormed = Direct(model, compareBatch, options.DirectSeconds, options.Spinning);
        var atOne = Direct(model, 1, options.DirectSeconds, options.Spinning);

        var servedRps = load.Requests / load.Seconds;
        var ortSps = compareBatch * 1e6 / Stats.Median(atFormed.Latencies);
        var serverCpuPerRequest = serverCpu.TotalMicroseconds / load.Requests;
        var ortCpuPerSample = atFormed.Cpu.TotalMicroseconds / (atFormed.Latencies.Count * (double)compareBatch);
        var (sp50, sp99) = (Stats.Percentile(single.Latencies, 0.5), Stats.Percentile(single.Latencies, 0.99));
        var (dp50, dp99) = (Stats.Percentile(atOne.Latencies, 0.5), Stats.Percentile(atOne.Latencies, 0.99));

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"### {model.Description}: served over gRPC (loopback h2c)");
        Console.WriteLine();
        Console.WriteLine("| (b) throughput | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine(string.Create(c, $"| served requests/s ({options.Clients} batch-1 clients, {load.Seconds:F1} s, {load.Requests:N0} requests, {load.Errors} errors) | {servedRps:N0} |"));
        Console.WriteLine(string.Create(c, $"| client-seen latency median / p99 µs | {Stats.Percentile(load.Latencies, 0.5):F0} / {Stats.Percentile(load.Latencies, 0.99):F0} |"));
        Console.WriteLine(string.Create(c, $"| formed batches: executions/s, mean batch, most frequent | {executions / load.Seconds:N0}, {meanBatch:F1}, {top} |"));
        Console.WriteLine(string.Create(c, $"| in-process ORT at the mean formed batch, rounded, {compareBatch}: µs/call median, samples/s | {Stats.Median(atFormed.Latencies):F1}, {ortSps:N0} |"));
        Console.WriteLine(string.Create(c, $"| ratio served / in-process ORT | {servedRps / ortSps:F2} |"));
        Console.WriteLine();
        Console.WriteLine("| (c) batch 1, one client | p50 µs | p99 µs | samples |");
        Console.WriteLine("|---|---|---|---|");
        Console.WriteLine(string.Create(c, $"| served (gRPC) | {sp50:F1} | {sp99:F1} | {single.Latencies.Count:N0} |"));
        Console.WriteLine(string.Create(c, $"| in-process ORT | {dp50:F1} | {dp99:F1} | {atOne.Latencies.Count:N0} |"));
        Console.WriteLine(string.Create(c, $"| server-added (served − ORT) | {sp50 - dp50:F1} | {sp99 - dp99:F1} | |"));
        Console.WriteLine();
        Console.WriteLine("| (d) CPU per request | µs |");
        Console.WriteLine("|---|---|");
        Console.WriteLine(string.Create(c, $"| server process CPU during the {options.Clients}-client window / requests | {serverCpuPerRequest:F1} |"));
        Console.WriteLine(string.Create(c, $"| in-process ORT CPU per sample at batch {compareBatch} (same method) | {ortCpuPerSample:F1} |"));
        Console.WriteLine(string.Create(c, $"| server overhead beyond ORT | {serverCpuPerRequest - ortCpuPerSample:F1} |"));
        Console.WriteLine(string.Create(c, $"| (for reference) client process CPU per request, not included above | {load.CpuMicroseconds / load.Requests:F1} |"));
    }

    /// <summary>The real serving stack on 127.0.0.1 (h2c) with the host settings of <paramref name="options"/>; no model loaded.</summary>
    internal static async Task<(WebApplication App, string Address, ModelRepository Repository)> StartHostAsync(ServedOptions options)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Configuration["Serving:Host:AllowSpinning"] = options.Spinning ? "true" : "false";
        if (options.IntraOpThreads > 0)
        {
            builder.Configuration["Serving:Host:IntraOpThreads"] = options.IntraOpThreads.ToString(CultureInfo.InvariantCulture);
        }

        if (options.MaxBatch > 0)
        {
            builder.Configuration["Serving:Host:Batching:MaxBatchSize"] = options.MaxBatch.ToString(CultureInfo.InvariantCulture);
        }
        builder.Services.AddModelHost();
        builder.Services.AddOpenInference();
        var app = builder.Build();
        app.MapOpenInference();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, address, app.Services.GetRequiredService<ModelRepository>());
    }

    private sealed record DirectResult(List<double> Latencies, TimeSpan Cpu);

    /// <summary>One session with the host's settings, pre-created OrtValues, warm-up then timed calls; process CPU over the timed loop.</summary>
    private static DirectResult Direct(BenchModel model, int batch, double seconds, bool spinning)
    {
        using var sessionOptions = new Microsoft.ML.OnnxRuntime.SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = Environment.ProcessorCount,
            InterOpNumThreads = 1,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
        using var session = new InferenceSession(model.Path, sessionOptions);
        var input = DirectBenchmark.Images(batch);
        var output = new float[batch * 10];
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [batch, 1, 28, 28]);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(output, [batch, 10]);
        using var runOptions = new RunOptions();
        string[] inputNames = ["input"], outputNames = ["output"];
        OrtValue[] inputs = [inputValue], outputs = [outputValue];
        var warmUntil = Stopwatch.GetTimestamp() + (long)(0.5 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < warmUntil)
        {
            session.Run(runOptions, inputNames, inputs, outputNames, outputs);
        }

        var samples = new List<double>();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (samples.Count < 30 || (Stopwatch.GetTimestamp() < end && samples.Count < 1_000_000))
        {
            var start = Stopwatch.GetTimestamp();
            session.Run(runOptions, inputNames, inputs, outputNames, outputs);
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        return new DirectResult(samples, Process.GetCurrentProcess().TotalProcessorTime - cpu0);
    }

    internal static Process StartClient(string address, string model, int clients, double warmup, double seconds, bool streaming, bool lean)
    {
        var self = typeof(ServedBenchmark).Assembly.Location;
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (!Path.GetFileNameWithoutExtension(Environment.ProcessPath!).Equals(Path.GetFileNameWithoutExtension(self), StringComparison.Ordinal))
        {
            start.ArgumentList.Add(self); // run as `dotnet MlOps.ServingBench.dll`
        }

        foreach (var a in new[] { "served-client", address, model, clients.ToString(CultureInfo.InvariantCulture), warmup.ToString(CultureInfo.InvariantCulture), seconds.ToString(CultureInfo.InvariantCulture), streaming ? "stream" : "unary", lean ? "lean" : "generated" })
        {
            start.ArgumentList.Add(a);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start the client process");
    }

    internal static async Task<string> ExpectAsync(Process child, string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }

            Console.Error.WriteLine("client: " + line);
        }

        throw new InvalidOperationException($"client process ended before '{prefix}' (exit {(child.HasExited ? child.ExitCode : -1)})");
    }

    /// <summary>What the client process reports: "END requests seconds errors cpuMicroseconds latenciesPath".</summary>
    internal sealed record ClientResult(long Requests, double Seconds, long Errors, double CpuMicroseconds, List<double> Latencies)
    {
        public static ClientResult Parse(string line)
        {
            var p = line.Split(' ');
            var path = p[5];
            var bytes = File.ReadAllBytes(path);
            File.Delete(path);
            var latencies = MemoryMarshal.Cast<byte, double>(bytes).ToArray().ToList();
            return new ClientResult(long.Parse(p[1], CultureInfo.InvariantCulture), double.Parse(p[2], CultureInfo.InvariantCulture),
                long.Parse(p[3], CultureInfo.InvariantCulture), double.Parse(p[4], CultureInfo.InvariantCulture), latencies);
        }
    }

    /// <summary>
    /// The child process: N closed-loop clients sharing one GrpcChannel, batch-1 ModelInfer with raw_input_contents.
    /// Prints START after the warm-up and END after the measured window (latencies go to a temp file of doubles).
    /// </summary>
    public static async Task<int> ClientAsync(string[] args)
    {
        var (address, model) = (args[0], args[1]);
        var clients = int.Parse(args[2], CultureInfo.InvariantCulture);
        var warmup = double.Parse(args[3], CultureInfo.InvariantCulture);
        var seconds = double.Parse(args[4], CultureInfo.InvariantCulture);
        var streaming = args.Length > 5 && args[5] == "stream";
        var lean = args.Length > 6 && args[6] == "lean";
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true } });
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var image = MemoryMarshal.AsBytes(DirectBenchmark.Images(1).AsSpan()).ToArray();
        var request = new ModelInferRequest { ModelName = model, ModelVersion = "1" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "input", Datatype = "FP32", Shape = { 1, 1, 28, 28 } });
        request.RawInputContents.Add(ByteString.CopyFrom(image));
        var check = await client.ModelInferAsync(request);
        if (check.RawOutputContents.Count != 1 || check.RawOutputContents[0].Length != 40)
        {
            throw new InvalidOperationException("unexpected response: " + check);
        }

        var t0 = Stopwatch.GetTimestamp();
        var measureFrom = t0 + (long)(warmup * Stopwatch.Frequency);
        var measureTo = measureFrom + (long)(seconds * Stopwatch.Frequency);
        long errors = 0;
        var startSignal = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(warmup));
            Console.WriteLine("START");
            return Process.GetCurrentProcess().TotalProcessorTime;
        });
        // The lean client (like perf_analyzer) sends the request bytes serialized once and only checks whether a
        // response is an error, instead of parsing every response; the generated client serializes and parses each.
        var payload = request.ToByteArray();
        var invoker = channel.CreateCallInvoker();
        var tasks = Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            var latencies = new List<double>();
            using var stream = streaming && !lean ? client.ModelStreamInfer() : null;
            using var leanStream = streaming && lean ? invoker.AsyncDuplexStreamingCall(LeanClient.Stream, null, default) : null;
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                if (start >= measureTo)
                {
                    break;
                }

                try
                {
                    if (leanStream is not null)
                    {
                        await leanStream.RequestStream.WriteAsync(payload);
                        if (!await leanStream.ResponseStream.MoveNext(CancellationToken.None) || leanStream.ResponseStream.Current.IsError)
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                    else if (stream is not null)
                    {
                        await stream.RequestStream.WriteAsync(request);
                        if (!await stream.ResponseStream.MoveNext(CancellationToken.None) || stream.ResponseStream.Current.ErrorMessage.Length > 0)
                        {
                            Interlocked.Increment(ref errors);
                        }
                    }
                    else if (lean)
                    {
                        await invoker.AsyncUnaryCall(LeanClient.Unary, null, default, payload);
                    }
                    else
                    {
                        await client.ModelInferAsync(request);
                    }
                }
                catch (Grpc.Core.RpcException)
                {
                    Interlocked.Increment(ref errors);
                }

                // Count a request in the window it started in (bounded: at most 2M samples per client).
                if (start >= measureFrom && latencies.Count < 2_000_000)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                }
            }

            if (stream is not null)
            {
                await stream.RequestStream.CompleteAsync();
            }

            if (leanStream is not null)
            {
                await leanStream.RequestStream.CompleteAsync();
            }

            return latencies;
        })).ToArray();
        var all = (await Task.WhenAll(tasks)).SelectMany(l => l).ToArray();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - await startSignal;
        var elapsed = Stopwatch.GetElapsedTime(measureFrom).TotalSeconds;
        var path = Path.Combine(Path.GetTempPath(), $"mlops-servingbench-{Environment.ProcessId}-latencies.bin");
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(all.AsSpan()).ToArray());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"END {all.Length} {elapsed:F3} {errors} {cpu.TotalMicroseconds:F0} {path}"));
        return 0;
    }
}
