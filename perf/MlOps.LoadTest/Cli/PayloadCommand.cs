using System.CommandLine;
using MlOps.LoadTest.Running;
using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Cli;

/// <summary>
/// <c>mlops-loadtest payload --target URL --model NAME -o FILE</c>: writes one request body built as the harness
/// builds them (REST JSON, or the serialized gRPC message), e.g. for wrk's Lua script (Wrk/infer.lua).
/// </summary>
internal static class PayloadCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var target = new Option<string>("--target") { Description = "Inference endpoint the model is described by", HelpName = "URL", Required = true };
        var model = new Option<string>("--model", "-m") { Description = "Model name", HelpName = "NAME", Required = true };
        var transport = new Option<string>("--transport") { Description = "rest (JSON body, default) or grpc (ModelInferRequest bytes)", HelpName = "rest|grpc", DefaultValueFactory = _ => "rest" };
        var batch = new Option<int>("--batch") { Description = "Samples in the request (default 1)", HelpName = "N", DefaultValueFactory = _ => 1 };
        var index = new Option<int>("--index") { Description = "Which test image starts the batch (default 0)", HelpName = "I" };
        var dataset = new Option<string>("--dataset") { Description = "Fashion-MNIST directory", HelpName = "DIR", DefaultValueFactory = _ => Scenario.DefaultDataset };
        var output = new Option<string>("--out", "-o") { Description = "File to write", HelpName = "FILE", Required = true };
        var security = new SecurityOptions();
        var command = security.AddTo(new Command("payload", "Write one request body as the harness sends it") { target, model, transport, batch, index, dataset, output });
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var kind = parseResult.GetValue(transport)!.ToLowerInvariant() switch
            {
                "rest" => TransportKind.Rest,
                "grpc" => TransportKind.Grpc,
                var other => throw new UsageException($"--transport: '{other}' is not rest or grpc"),
            };
            var size = parseResult.GetValue(batch);
            var first = parseResult.GetValue(index);
            if (size < 1 || first < 0)
            {
                throw new UsageException("--batch must be at least 1 and --index at least 0");
            }

            var scenario = new Scenario
            {
                Name = "payload",
                Transport = kind,
                Target = SharedOptions.ParseUri(parseResult.GetValue(target), "--target")!,
                Model = parseResult.GetValue(model)!,
                Load = new ClosedLoad(1),
                Dataset = parseResult.GetValue(dataset)!,
                BatchSize = size,
                Samples = (first + 1) * size,
                Security = security.Read(parseResult),
            };
            var payloads = await ScenarioRunner.PreparePayloadsAsync(scenario, cancellationToken);
            var bytes = kind == TransportKind.Rest ? payloads.Rest[^1] : payloads.Grpc[^1];
            var path = parseResult.GetValue(output)!;
            await File.WriteAllBytesAsync(path, bytes, cancellationToken);
            await stdout.WriteLineAsync($"{path}: {bytes.Length:N0} bytes, batch {size} from test image {first}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
