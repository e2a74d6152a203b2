using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Coordinator.HighAvailability;
using MlOps.Monitoring.Drift;
using MlOps.Monitoring.Profiles;
using MlOps.Monitoring.Serialization;

namespace MlOps.Coordinator.Monitoring;

/// <summary>
/// Drift detection in the coordinator (docs/monitoring.md). Agents report a live window per served version
/// (<see cref="ServingWindow"/>); each one triggers an evaluation, off the agent stream: the windows of the last
/// <see cref="MonitoringOptions.EvaluationWindow"/> from every agent serving the version are merged and compared with
/// the version's reference profile (<see cref="DriftDetector"/>). The latest evaluation per version is kept for
/// <c>mlops monitor NAME</c>; a change of verdict is logged. In memory, on the leader only: after a failover the next
/// windows rebuild it.
/// </summary>
internal sealed class DriftMonitor(
    IReferenceProfiles references,
    IOptions<MonitoringOptions> options,
    TimeProvider time,
    Leadership leadership,
    ILogger<DriftMonitor> logger,
    MlOps.Coordinator.Storage.IDeploymentStore? deployments = null) : BackgroundService
{
    public const string NoReference = "NO_REFERENCE";

    private readonly Channel<(string Agent, ServingWindow Window)> _incoming = Channel.CreateBounded<(string, ServingWindow)>(
        new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly ConcurrentDictionary<(string Model, int Version), VersionState> _versions = new();

    /// <summary>Queues a window for evaluation; never blocks the agent's stream (the oldest waiting window goes first
    /// if a thousand pile up).</summary>
    public void Record(string agentId, ServingWindow window) => _incoming.Writer.TryWrite((agentId, window));

    /// <summary>The latest evaluation of every version of <paramref name="model"/> reported so far, newest version first.</summary>
    public ModelMonitor Get(string model)
    {
        var monitor = new ModelMonitor { Model = model };
        foreach (var (key, state) in _versions.Where(v => v.Key.Model == model).OrderByDescending(v => v.Key.Version))
        {
            lock (state)
            {
                if (state.Latest is { } latest)
                {
                    monitor.Versions.Add(latest.Clone());
                }
            }
        }

        return monitor;
    }

    /// <summary>The latest evaluation of every version reported so far, by model name then version.</summary>
    public IReadOnlyList<(string Model, VersionMonitor View)> All()
    {
        var all = new List<(string, VersionMonitor)>();
        foreach (var (key, state) in _versions.OrderBy(v => v.Key.Model, StringComparer.Ordinal).ThenBy(v => v.Key.Version))
        {
            lock (state)
            {
                if (state.Latest is { } latest)
                {
                    all.Add((key.Model, latest.Clone()));
                }
            }
        }

        return all;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await leadership.WaitQuietlyAsync(stoppingToken))
        {
            return;
        }

        try
        {
            await foreach (var (agent, window) in _incoming.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await EvaluateAsync(agent, window, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    MonitoringLog.EvaluationFailed(logger, window.Model, window.Version, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Adds one window and evaluates its version (public for tests, which call it directly).</summary>
    public async Task EvaluateAsync(string agent, ServingWindow window, CancellationToken cancellationToken)
    {
        var settings = options.Value.For(window.Model);
        var reference = await references.GetAsync(await RegisteredModelAsync(window.Model, cancellationToken), window.Version, cancellationToken);
        ModelProfile? live = null;
        if (window.Profile.Length > 0)
        {
            try
            {
                live = ProfileJson.ReadModelProfile(window.Profile.Span);
            }
            catch (ProfileFormatException ex)
            {
                MonitoringLog.BadWindow(logger, agent, window.Model, window.Version, ex.Message);
            }
        }

        var state = _versions.GetOrAdd((window.Model, window.Version), _ => new VersionState());
        var now = time.GetUtcNow();
        lock (state)
        {
            state.Windows.Add(new Received(agent, window.Start?.ToDateTimeOffset() ?? now, window.End?.ToDateTimeOffset() ?? now,
                window.Requests, window.Profiled, live, window.ReferenceDigest, window.Labels, window.Correct));
            state.Windows.RemoveAll(w => w.End < now - settings.EvaluationWindow);
            var view = Evaluate(window, reference, state.Windows, new DriftDetector(settings.Policy()), out var verdict);
            state.Evaluations++;
            if (verdict == DriftVerdict.Drift)
            {
                state.Drifts++;
                state.LastDriftAt = Timestamp.FromDateTimeOffset(now);
            }

            if (settings.AccuracyThreshold > 0 && view.Labels >= settings.MinLabels && (double)view.Correct / view.Labels < settings.AccuracyThreshold)
            {
                view.AccuracyAlert = true;
                view.Reasons.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"live accuracy {(double)view.Correct / view.Labels:P1} on {view.Labels} labels is below the threshold {settings.AccuracyThreshold:P1}"));
                if (state.Latest?.AccuracyAlert != true)
                {
                    MonitoringLog.AccuracyBelowThreshold(logger, window.Model, window.Version, (double)view.Correct / view.Labels, view.Labels, settings.AccuracyThreshold);
                }
            }

            view.Evaluations = state.Evaluations;
            view.DriftEvaluations = state.Drifts;
            view.LastDriftAt = state.LastDriftAt;
            if (view.Verdict != state.Latest?.Verdict)
            {
                MonitoringLog.VerdictChanged(logger, window.Model, window.Version, state.Latest?.Verdict ?? "none", view.Verdict,
                    string.Join("; ", view.Reasons));
            }

            state.Latest = view;
        }
    }

    /// <summary>
    /// The registered model behind the name clients call: a window carries the deployment's name (what the agent
    /// serves), which is the model's own name unless the deployment was given another one.
    /// </summary>
    private async Task<string> RegisteredModelAsync(string served, CancellationToken cancellationToken) =>
        deployments is not null && await deployments.GetDeploymentAsync(served, cancellationToken) is { Spec.Model.Length: > 0 } deployment
            ? deployment.Spec.Model
            : served;

    private static VersionMonitor Evaluate(ServingWindow window, ReferenceProfile? reference, List<Received> windows, DriftDetector detector, out DriftVerdict? verdict)
    {
        var view = new VersionMonitor
        {
            Version = window.Version,
            WindowStart = Timestamp.FromDateTimeOffset(windows.Min(w => w.Start)),
            WindowEnd = Timestamp.FromDateTimeOffset(windows.Max(w => w.End)),
            Requests = windows.Sum(w => w.Requests),
            Profiled = windows.Sum(w => w.Profiled),
            Labels = windows.Sum(w => w.Labels),
            Correct = windows.Sum(w => w.Correct),
            ReferenceDigest = reference?.Digest ?? "",
        };
        verdict = null;
        if (reference is null)
        {
            view.Verdict = NoReference;
            view.Reasons.Add("the model version has no reference profile (trained before profiles were recorded, or profiling failed)");
            return view;
        }

        var merged = reference.Profile.CreateLike(seed: 0);
        var skipped = 0;
        foreach (var received in windows.Where(w => w.Profile is not null))
        {
            if (received.ReferenceDigest != reference.Digest)
            {
                skipped++;
                continue;
            }

            try
            {
                merged.Merge(received.Profile!);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                skipped++;
            }
        }

        var report = detector.Compare(reference.Profile, merged);
        verdict = report.Verdict;
        view.Verdict = report.Verdict switch
        {
            DriftVerdict.Drift => "DRIFT",
            DriftVerdict.NoDrift => "NO_DRIFT",
            _ => "INSUFFICIENT_DATA",
        };
        view.Features.AddRange(report.Features.Select(f => new FeatureDriftView
        {
            Name = f.Name,
            Psi = f.Psi,
            KsD = f.KsD,
            KsPValue = f.AdjustedPValue,
            Drifted = f.Drifted,
            ReferenceMean = f.ReferenceMean,
            LiveMean = f.LiveMean,
        }));
        if (report.Images is { } images)
        {
            view.ImagePValue = images.Result.PValue;
            view.ImageDrifted = images.Drifted;
        }

        if (report.Predictions is { } predictions)
        {
            view.PredictionPValue = predictions.ChiSquare.PValue;
            view.PredictionJs = predictions.JensenShannon;
            view.PredictionDrifted = predictions.Drifted;
        }

        view.Reasons.AddRange(report.Reasons);
        if (skipped > 0)
        {
            view.Reasons.Add($"{skipped} window(s) skipped: built from another reference profile");
        }

        return view;
    }

    private sealed record Received(string Agent, DateTimeOffset Start, DateTimeOffset End, long Requests, long Profiled, ModelProfile? Profile,
        string ReferenceDigest, long Labels, long Correct);

    private sealed class VersionState
    {
        public readonly List<Received> Windows = [];
        public long Evaluations;
        public long Drifts;
        public Timestamp? LastDriftAt;
        public VersionMonitor? Latest;
    }
}
