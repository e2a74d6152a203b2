using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Agent.Jobs;
using MlOps.Agent.Options;
using MlOps.Contracts;
using MlOps.Monitoring.Serialization;
using MlOps.Serving.Feedback;
using MlOps.Serving.Monitoring;

namespace MlOps.Agent.Serving;

/// <summary>One served version with a live profile, as the <see cref="ServingWindowReporter"/> sees it.</summary>
internal sealed record ProfiledVersion(string Model, string Version, LiveProfiler Profiler, PredictionLog Predictions);

/// <summary>
/// Every <see cref="ServingEndpoints.ProfileWindow"/>, takes the window of each READY version that keeps a live
/// profile and posts it to the coordinator as a <see cref="ServingWindow"/>: the requests served, the live profile
/// over the reference's bins, and the ground-truth labels scored since the previous report. A window in which nothing
/// was served and nothing labelled is not sent. Failures are logged and the loop goes on.
/// </summary>
internal sealed partial class ServingWindowReporter(
    IAgentOutbox outbox,
    ServingReconciler reconciler,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<ServingWindowReporter> logger) : BackgroundService
{
    // Labels and correct ones counted up to the last report, per version; the log instance tells a reload (counts restart).
    private readonly Dictionary<(string Model, string Version), (PredictionLog Log, long Labels, long Correct)> _reported = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var serving = options.Value.Serving;
        if (!serving.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(serving.ProfileWindow, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    Report(reconciler.ProfiledVersions());
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogReportFailed(ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Takes each version's window and posts the non-empty ones; returns how many were posted.</summary>
    internal int Report(IEnumerable<ProfiledVersion> versions)
    {
        var posted = 0;
        var seen = new HashSet<(string, string)>();
        foreach (var served in versions)
        {
            var key = (served.Model, served.Version);
            seen.Add(key);
            if (!int.TryParse(served.Version, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                continue; // loaded by hand under a name the registry does not know: the coordinator could not place it
            }

            var window = served.Profiler.TakeWindow();
            var (correct, labels) = served.Predictions.Accuracy.SinceLoad;
            var (labelsBefore, correctBefore) = _reported.TryGetValue(key, out var last) && ReferenceEquals(last.Log, served.Predictions)
                ? (last.Labels, last.Correct)
                : (0L, 0L);
            var newLabels = labels - labelsBefore;
            var newCorrect = correct - correctBefore;
            if (window.Requests == 0 && newLabels == 0)
            {
                continue;
            }

            outbox.Post(new AgentMessage
            {
                Window = new ServingWindow
                {
                    Model = served.Model,
                    Version = version,
                    Start = Timestamp.FromDateTimeOffset(window.Start),
                    End = Timestamp.FromDateTimeOffset(window.End),
                    Requests = window.Requests,
                    Profiled = window.Profiled,
                    Profile = ByteString.CopyFrom(ProfileJson.Serialize(window.Profile)),
                    ReferenceDigest = served.Profiler.ReferenceDigest,
                    Labels = newLabels,
                    Correct = newCorrect,
                },
            });
            _reported[key] = (served.Predictions, labels, correct);
            posted++;
            LogPosted(served.Model, served.Version, window.Requests, window.Profiled, newLabels);
        }

        foreach (var gone in _reported.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _reported.Remove(gone);
        }

        return posted;
    }

    [LoggerMessage(EventId = 2401, Level = LogLevel.Debug, Message = "Serving window of {Model} version {Version}: {Requests} requests, {Profiled} profiled, {Labels} labels")]
    private partial void LogPosted(string model, string version, long requests, long profiled, long labels);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "Reporting serving windows failed; trying again next window")]
    private partial void LogReportFailed(Exception exception);
}
