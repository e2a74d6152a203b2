using MlOps.Core.Datasets;
using MlOps.Client.Inference.Inputs;
using MlOps.LoadTest.Payloads;
using MlOps.LoadTest.Results;
using MlOps.LoadTest.Scenarios;
using MlOps.LoadTest.Transports;

namespace MlOps.LoadTest.Running;

/// <summary>
/// A whole scenario against a real server: asks the server for the model's inputs, builds the payloads from the
/// dataset, opens the transport, runs the load and judges the thresholds.
/// </summary>
public sealed class ScenarioRunner
{
    private readonly LoadRunner _runner;
    private readonly TextWriter? _progress;

    public ScenarioRunner(TextWriter? progress = null)
    {
        _progress = progress;
        _runner = new LoadRunner(progress);
    }

    /// <exception cref="LoadTestException">The model cannot be described, or the payloads cannot be built.</exception>
    public async Task<RunResult> RunAsync(Scenario scenario, CancellationToken cancellationToken = default)
    {
        var payloads = await PreparePayloadsAsync(scenario, cancellationToken).ConfigureAwait(false);
        await using var transport = CreateTransport(scenario, payloads);
        _progress?.WriteLine($"[{scenario.Name}] {scenario.Load.Describe()} → {scenario.Transport.ToString().ToUpperInvariant()} {scenario.Target} model {scenario.Model}, batch {scenario.BatchSize}");
        var result = await _runner.RunAsync(scenario, transport, payloads.Count, cancellationToken).ConfigureAwait(false);
        return result with { Thresholds = ThresholdEvaluator.Evaluate(scenario.Thresholds, result) };
    }

    /// <summary>Describes the model over the scenario's transport and builds its payloads from the dataset.</summary>
    public static async Task<PayloadSet> PreparePayloadsAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        var model = await ModelDescriber.DescribeAsync(scenario, cancellationToken).ConfigureAwait(false);
        try
        {
            return PayloadSet.Build(model, scenario.Model, scenario.Version, scenario.Dataset, scenario.Samples, scenario.BatchSize);
        }
        catch (DatasetException ex)
        {
            throw new LoadTestException($"dataset {scenario.Dataset}: {ex.Message} (on Debian: apt-get install dataset-fashion-mnist)", ex);
        }
        catch (InferenceInputException ex)
        {
            throw new LoadTestException($"model '{scenario.Model}' cannot take Fashion-MNIST images: {ex.Message}", ex);
        }
    }

    /// <summary>The transport for the scenario, sending <paramref name="payloads"/>.</summary>
    public static ILoadTransport CreateTransport(Scenario scenario, PayloadSet payloads) =>
        scenario.Transport == TransportKind.Grpc
            ? new GrpcLoadTransport(scenario.Target, payloads.Grpc, scenario.Timeout, scenario.Security)
            : new RestLoadTransport(scenario.Target, scenario.Model, scenario.Version, payloads.Rest, scenario.Timeout, scenario.Connections, scenario.Security);
}
