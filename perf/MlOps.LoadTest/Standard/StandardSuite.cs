using System.Globalization;
using MlOps.LoadTest.InProcess;
using MlOps.LoadTest.Payloads;
using MlOps.LoadTest.Results;
using MlOps.LoadTest.Running;
using MlOps.LoadTest.Scenarios;
using MlOps.LoadTest.Transports;
using MlOps.LoadTest.Wrk;

namespace MlOps.LoadTest.Standard;

/// <summary>
/// Runs the standard scenarios (see <see cref="StandardOptions"/>) for each model and returns one report per model:
/// the runs, and notes with the figures the targets are about (saturation, p99 at half load, the in-process limit
/// and ratio, wrk's figure) and whether each target was met.
/// </summary>
public sealed class StandardSuite
{
    private readonly StandardOptions _options;
    private readonly TextWriter _log;
    private readonly LoadRunner _runner;

    /// <param name="options">What to run.</param>
    /// <param name="log">One line per run, and what is being done (stderr for the CLI).</param>
    /// <param name="perSecond">Where the per-second progress of each run goes; null for none.</param>
    public StandardSuite(StandardOptions options, TextWriter log, TextWriter? perSecond = null)
    {
        _options = options;
        _log = log;
        _runner = new LoadRunner(perSecond);
    }

    public async Task<IReadOnlyList<LoadReport>> RunAsync(string? commit, CancellationToken cancellationToken)
    {
        var reports = new List<LoadReport>();
        foreach (var model in _options.Models)
        {
            reports.Add(await RunModelAsync(model, commit, cancellationToken).ConfigureAwait(false));
        }

        return reports;
    }

    private async Task<LoadReport> RunModelAsync(StandardModel model, string? commit, CancellationToken cancellationToken)
    {
        var runs = new List<RunResult>();
        var notes = new StandardNotes();
        var saturation = new Dictionary<TransportKind, RunResult>();
        double? formedBatch = null;
        var first = true;

        foreach (var transport in _options.Transports)
        {
            var template = Template(model, transport);
            var payloads = await ScenarioRunner.PreparePayloadsAsync(template, cancellationToken).ConfigureAwait(false);
            await using var client = ScenarioRunner.CreateTransport(template, payloads);

            // Saturation: closed model, more users each step; the best step is the saturation throughput.
            RunResult? best = null;
            double? bestBatch = null;
            foreach (var users in _options.Users)
            {
                var scenario = template with
                {
                    Name = $"{model.Name}-{Name(transport)}-closed-{users}u",
                    Load = new ClosedLoad(users),
                    Duration = _options.StepDuration,
                    WarmUp = first ? TimeSpan.FromSeconds(3) : _options.WarmUp,
                };
                first = false;
                var before = await ServerStatistics.ReadAsync(_options.Grpc, model.Name, _options.Security, cancellationToken).ConfigureAwait(false);
                var result = await RunAsync(scenario, client, payloads, cancellationToken).ConfigureAwait(false);
                var after = await ServerStatistics.ReadAsync(_options.Grpc, model.Name, _options.Security, cancellationToken).ConfigureAwait(false);
                runs.Add(result);
                if (best is null || result.Throughput > best.Throughput)
                {
                    best = result;
                    bestBatch = ServerStatistics.MeanBatch(before, after);
                }
            }

            saturation[transport] = best!;
            notes.Add($"saturation ({Name(transport)})", $"{best!.Throughput:N0} req/s at {best.Users} users, p50 {best.Latency.P50:0.###} ms, p99 {best.Latency.P99:0.###} ms" +
                (bestBatch is { } b ? $", server formed batches of {b:0.#} on average" : string.Empty));
            if (transport == TransportKind.Grpc)
            {
                formedBatch = bestBatch;
                if (model.MinSaturation is { } min)
                {
                    notes.Target($"gRPC saturation ≥ {min:N0} req/s", $"{best.Throughput:N0} req/s", best.Throughput >= min);
                }
            }

            // Latency at fixed rates: open model at fractions of that saturation throughput.
            foreach (var fraction in _options.RateFractions)
            {
                var rate = Math.Max(1, Math.Round(best.Throughput * fraction));
                // Up to half of the closed-model saturation an open load must be served without errors; above it the
                // run shows where open arrivals (smaller batches, more wake-ups) run out of capacity, which is news,
                // not a failure.
                var thresholds = fraction <= 0.5 ? new List<Threshold> { ThresholdParser.Parse("error_rate == 0") } : [];
                if (transport == TransportKind.Grpc && fraction == 0.5 && model.MaxP99AtHalf is { } p99)
                {
                    thresholds.Add(ThresholdParser.Parse(string.Create(CultureInfo.InvariantCulture, $"p99 <= {p99.TotalMilliseconds}ms")));
                }

                var scenario = template with
                {
                    Name = $"{model.Name}-{Name(transport)}-open-{fraction * 100:0}pct",
                    Load = new OpenLoad(rate),
                    Duration = _options.RateDuration,
                    WarmUp = _options.WarmUp,
                    Thresholds = thresholds,
                };
                var result = await RunAsync(scenario, client, payloads, cancellationToken).ConfigureAwait(false);
                runs.Add(result);
                notes.Add($"{fraction * 100:0} % of saturation ({Name(transport)}, {rate:N0} req/s)",
                    $"p50 {result.Latency.P50:0.###} ms, p99 {result.Latency.P99:0.###} ms, p99.9 {result.Latency.P999:0.###} ms, achieved {result.AchievedSendRate:N0} req/s, errors {result.Errors}");
                if (transport == TransportKind.Grpc && fraction == 0.5 && model.MaxP99AtHalf is { } target)
                {
                    notes.Target($"gRPC p99 at 50 % of saturation ≤ {target.TotalMilliseconds} ms", $"{result.Latency.P99:0.###} ms",
                        result.Latency.P99 <= target.TotalMilliseconds);
                }
            }

            if (transport == TransportKind.Rest && _options.Wrk)
            {
                await CrossCheckWithWrkAsync(model, template, client, payloads, runs, notes, cancellationToken).ConfigureAwait(false);
            }

            if (transport == TransportKind.Grpc && model.RolloutCommand is { } rollout)
            {
                var scenario = template with
                {
                    Name = $"{model.Name}-grpc-rollout",
                    Load = new ClosedLoad(_options.RolloutUsers),
                    Duration = _options.RolloutDuration,
                    WarmUp = _options.WarmUp,
                    Actions = [new ScenarioAction(_options.RolloutAt, rollout, "rollout")],
                    Thresholds = [ThresholdParser.Parse("errors == 0")],
                };
                var result = await RunAsync(scenario, client, payloads, cancellationToken).ConfigureAwait(false);
                runs.Add(result);
                var action = result.Events.Count > 0 ? result.Events[0] : null;
                var actionOk = action is { ExitCode: 0 };
                notes.Target("rollout under load: 0 errors", $"{result.Errors} errors in {result.Requests:N0} requests; '{rollout}' exited {action?.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"}",
                    result.Errors == 0 && actionOk);
            }
        }

        if (model.OnnxPath is { } onnx)
        {
            await MeasureInProcessAsync(model, onnx, formedBatch, saturation.GetValueOrDefault(TransportKind.Grpc), notes).ConfigureAwait(false);
        }

        return new LoadReport
        {
            Title = $"Standard scenarios: {model.Name}",
            Machine = MachineDescription.Current(),
            Commit = commit,
            CreatedAt = DateTimeOffset.UtcNow,
            Runs = runs,
            Notes = notes.All,
        };
    }

    private async Task CrossCheckWithWrkAsync(StandardModel model, Scenario template, ILoadTransport client, PayloadSet payloads,
        List<RunResult> runs, StandardNotes notes, CancellationToken cancellationToken)
    {
        if (!WrkRunner.IsAvailable())
        {
            notes.Add("wrk cross-check", "skipped: wrk is not installed (apt-get install wrk)");
            return;
        }

        if (_options.Security.ClientCertificate is not null && _options.Security.BearerToken is null)
        {
            notes.Add("wrk cross-check", "skipped: wrk cannot present a client certificate (give a token with --token-file to cross-check)");
            return;
        }

        // Alternating rounds, compared by their medians: the server's throughput drifts by 10-20 % over a minute on
        // this VM (GC, JIT, the previous run's backlog), which a single harness-then-wrk pair reads as a difference.
        var connections = _options.WrkConnections;
        var uri = RestLoadTransport.InferUri(_options.Rest, model.Name, null);
        var harness = new List<double>();
        var wrk = new List<WrkResult>();
        for (var round = 1; round <= _options.WrkRounds; round++)
        {
            var scenario = template with
            {
                Name = $"{model.Name}-rest-closed-{connections}u-vs-wrk-{round}",
                Load = new ClosedLoad(connections),
                Duration = _options.WrkDuration,
                WarmUp = _options.WarmUp,
            };
            var result = await RunAsync(scenario, client, payloads, cancellationToken).ConfigureAwait(false);
            runs.Add(result);
            harness.Add(result.Throughput);
            await _log.WriteLineAsync($"  wrk -c {connections} -d {_options.WrkDuration.TotalSeconds:0}s POST {uri}").ConfigureAwait(false);
            var measured = await WrkRunner.RunAsync(uri, payloads.Rest[0], connections, threads: Math.Min(connections, Environment.ProcessorCount),
                _options.WrkDuration, _options.Security.BearerToken, cancellationToken).ConfigureAwait(false);
            await _log.WriteLineAsync($"    {measured.RequestsPerSecond,10:N0} req/s  p50 {measured.P50Ms:0.###} ms  p99 {measured.P99Ms:0.###} ms  non-2xx {measured.Non2xx}")
                .ConfigureAwait(false);
            wrk.Add(measured);
        }

        var harnessMedian = Median(harness);
        var wrkMedian = Median(wrk.Select(w => w.RequestsPerSecond).ToList());
        var difference = (harnessMedian - wrkMedian) / wrkMedian;
        notes.Add($"wrk, {connections} connections (REST), {wrk.Count} rounds",
            $"{string.Join(" / ", wrk.Select(w => w.RequestsPerSecond.ToString("N0", CultureInfo.InvariantCulture)))} req/s; " +
            $"p99 {string.Join(" / ", wrk.Select(w => w.P99Ms?.ToString("0.###", CultureInfo.InvariantCulture) ?? "-"))} ms; " +
            $"non-2xx {wrk.Sum(w => w.Non2xx)}, socket errors {wrk.Sum(w => w.SocketErrors)}");
        notes.Add($"harness, {connections} users (REST), {harness.Count} rounds",
            $"{string.Join(" / ", harness.Select(h => h.ToString("N0", CultureInfo.InvariantCulture)))} req/s");
        notes.Target($"harness within 15 % of wrk at {connections} connections (medians)",
            $"harness {harnessMedian:N0} req/s vs wrk {wrkMedian:N0} req/s ({difference:+0.0%;-0.0%})", Math.Abs(difference) <= 0.15);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private async Task MeasureInProcessAsync(StandardModel model, string onnx, double? formedBatch, RunResult? saturation, StandardNotes notes)
    {
        var batches = new SortedSet<int> { 1 };
        var formed = formedBatch is { } f ? Math.Max(1, (int)Math.Round(f)) : 1;
        batches.Add(formed);
        InProcessResult? atFormed = null;
        foreach (var batch in batches)
        {
            await _log.WriteLineAsync($"  in-process ONNX Runtime, batch {batch}, {_options.InProcessDuration.TotalSeconds:0} s").ConfigureAwait(false);
            var result = await Task.Run(() => InProcessLimit.Measure(onnx, batch, _options.InProcessDuration, new InProcessSettings())).ConfigureAwait(false);
            notes.Add($"in-process ONNX Runtime, batch {batch}", $"{result.SamplesPerSecond:N0} samples/s, p50 {result.P50Ms:0.###} ms per batch, {result.IntraOpThreads} intra-op threads");
            if (batch == formed)
            {
                atFormed = result;
            }
        }

        if (saturation is not null && atFormed is not null)
        {
            var ratio = saturation.SamplesPerSecond / atFormed.SamplesPerSecond;
            var text = $"{saturation.SamplesPerSecond:N0} / {atFormed.SamplesPerSecond:N0} = {ratio:0.00} (batch {formed})";
            if (model.MinInProcessRatio is { } min)
            {
                notes.Target($"served gRPC ≥ {min:0.##} × in-process ONNX Runtime at the formed batch", text, ratio >= min);
            }
            else
            {
                notes.Add("served gRPC / in-process at the formed batch", text);
            }
        }
    }

    private async Task<RunResult> RunAsync(Scenario scenario, ILoadTransport client, PayloadSet payloads, CancellationToken cancellationToken)
    {
        await _log.WriteLineAsync($"  {scenario.Name}: {scenario.Load.Describe()}, {(scenario.Duration ?? TimeSpan.Zero).TotalSeconds:0} s").ConfigureAwait(false);
        var result = await _runner.RunAsync(scenario, client, payloads.Count, cancellationToken).ConfigureAwait(false);
        result = result with { Thresholds = ThresholdEvaluator.Evaluate(scenario.Thresholds, result) };
        await _log.WriteLineAsync(
            $"    {result.Throughput,10:N0} req/s  p50 {result.Latency.P50:0.###} ms  p99 {result.Latency.P99:0.###} ms  errors {result.Errors}{(result.Passed ? string.Empty : "  THRESHOLD FAILED")}")
            .ConfigureAwait(false);
        return result;
    }

    private Scenario Template(StandardModel model, TransportKind transport) => new()
    {
        Name = model.Name,
        Transport = transport,
        Target = transport == TransportKind.Grpc ? _options.Grpc : _options.Rest,
        Model = model.Name,
        Load = new ClosedLoad(1),
        Dataset = _options.Dataset,
        Security = _options.Security,
    };

    private static string Name(TransportKind transport) => transport == TransportKind.Grpc ? "grpc" : "rest";
}
