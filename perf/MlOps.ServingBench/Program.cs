using MlOps.ServingBench;

// Usage: MlOps.ServingBench [--models mlp,cnn] [--batch-sizes 1,8,16,32,64] [--threads N] [--seconds 2]
//                           [--callers 64] [--delays-us 0,1000,2000] [--batcher-seconds 5] [--no-spinning]
// (a) in-process ONNX Runtime per batch size, direct and through the host with one caller;
// (b) the host's dynamic batcher under N concurrent batch-1 callers. Markdown tables on stdout.
// served [--models mlp,cnn] [--clients 64] [--warmup-seconds 3] [--seconds 10] [--latency-seconds 5] [--direct-seconds 3]:
// the real serving stack (Kestrel h2c on loopback + gRPC) driven from a child client process; see ServedBenchmark.
if (args is ["served-client", .. var clientArgs])
{
    return await ServedBenchmark.ClientAsync(clientArgs);
}

if (args is ["served", .. var servedArgs])
{
    var served = ServedOptions.Parse(servedArgs);
    return served is null ? BenchOptions.Usage() : await ServedBenchmark.RunAsync(served);
}

var options = BenchOptions.Parse(args);
if (options is null)
{
    return BenchOptions.Usage();
}

Console.WriteLine(options.Describe());
foreach (var model in BenchModels.Load(options))
{
    await DirectBenchmark.RunAsync(model, options);
    await BatcherBenchmark.RunAsync(model, options);
    File.Delete(model.Path);
}

return 0;
