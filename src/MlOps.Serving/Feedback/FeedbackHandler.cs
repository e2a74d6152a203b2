using System.Text.Json;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol;
using MlOps.Serving.Protocol.Tensors;

namespace MlOps.Serving.Feedback;

/// <summary>One ground-truth label for an earlier prediction, by the id the request carried.</summary>
public sealed record GroundTruth(string Id, int Label);

/// <summary>What a feedback call matched, and each version's live accuracy after it.</summary>
public sealed record FeedbackResult(string Model, int Matched, IReadOnlyList<string> Unknown, int UnknownCount, IReadOnlyList<VersionAccuracy> Versions);

/// <summary>Live accuracy of one version: over the last 5 and 60 minutes, and since it was loaded.</summary>
public sealed record VersionAccuracy(string Version, (long Correct, long Total) Last5Minutes, (long Correct, long Total) Last60Minutes, (long Correct, long Total) SinceLoad);

/// <summary>
/// Scores ground-truth labels against the predictions the model's versions remembered (<see cref="PredictionLog"/>).
/// Without a version, a label is matched against every version of the model, since the traffic split may have sent
/// the request to any of them.
/// </summary>
public static class FeedbackHandler
{
    /// <summary>Most labels one call may carry.</summary>
    public const int MaxLabels = 10_000;

    private const int UnknownListed = 20;

    public static FeedbackResult Apply(IModelRepository repository, string name, string? version, IReadOnlyList<GroundTruth> labels)
    {
        var versions = version is not null
            ? [repository.Find(name, version)]
            : repository.Versions(name).Select(v => repository.TryGet(name, v, out var m) ? m : null).OfType<IServedModel>().ToList();
        if (versions.Count == 0)
        {
            repository.Find(name, null); // throws NotFound naming the model
        }

        var logs = versions.Where(v => v.Predictions is not null).ToList();
        var matched = 0;
        var unknown = new List<string>();
        var unknownCount = 0;
        foreach (var label in labels)
        {
            if (logs.Exists(v => v.Predictions!.Label(label.Id, label.Label, out _)))
            {
                matched++;
            }
            else
            {
                unknownCount++;
                if (unknown.Count < UnknownListed)
                {
                    unknown.Add(label.Id);
                }
            }
        }

        var accuracy = logs
            .Select(v => new VersionAccuracy(v.Descriptor.Version, v.Predictions!.Accuracy.Over(TimeSpan.FromMinutes(5)),
                v.Predictions.Accuracy.Over(TimeSpan.FromMinutes(60)), v.Predictions.Accuracy.SinceLoad))
            .ToList();
        return new FeedbackResult(name, matched, unknown, unknownCount, accuracy);
    }

    /// <summary>Reads <c>{"labels": [{"id": "...", "label": 3}, ...]}</c>; errors name the offending entry.</summary>
    public static IReadOnlyList<GroundTruth> Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("labels", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            throw TensorLayout.Invalid("the feedback body must be a JSON object with a 'labels' array of {\"id\": ..., \"label\": ...}");
        }

        var count = array.GetArrayLength();
        if (count == 0 || count > MaxLabels)
        {
            throw TensorLayout.Invalid($"'labels' must hold 1 to {MaxLabels} entries, got {count}");
        }

        var labels = new List<GroundTruth>(count);
        var index = 0;
        foreach (var entry in array.EnumerateArray())
        {
            var where = $"labels[{index}]";
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw TensorLayout.Invalid($"{where} must be an object with 'id' and 'label'");
            }

            if (!entry.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(id.GetString()))
            {
                throw TensorLayout.Invalid($"{where}.id must be the non-empty id the inference request carried");
            }

            if (!entry.TryGetProperty("label", out var label) || label.ValueKind != JsonValueKind.Number || !label.TryGetInt32(out var value) || value < 0)
            {
                throw TensorLayout.Invalid($"{where}.label must be a class index (an integer >= 0)");
            }

            labels.Add(new GroundTruth(id.GetString()!, value));
            index++;
        }

        return labels;
    }
}
