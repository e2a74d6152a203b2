using System.Globalization;
using System.Text;
using Google.Protobuf;
using MlOps.Contracts;
using MlOps.Core.Digests;

namespace MlOps.Training;

/// <summary>
/// What makes a checkpoint belong to a run: the model spec, every hyper-parameter, the seed and the number of training
/// and test samples. Stored field by field in the checkpoint's header (plus one digest over them all) so that a refused
/// checkpoint can name exactly what differs. The dataset path and thread count are left out on purpose: a job may be
/// resumed on another machine, where both can change without changing the result.
/// </summary>
internal static class RunFingerprint
{
    public static SortedDictionary<string, string> Fields(TrainingRequest request, int trainSamples, int testSamples)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["model"] = Sha256Digest.OfBytes(request.Model.ToByteArray()),
            ["seed"] = request.Seed.ToString(CultureInfo.InvariantCulture),
            ["train_samples"] = trainSamples.ToString(CultureInfo.InvariantCulture),
            ["test_samples"] = testSamples.ToString(CultureInfo.InvariantCulture),
        };

        // Every field of the message, so one added later is covered without touching this code.
        foreach (var field in HyperParameters.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(request.HyperParameters);
            fields[$"hyper_parameters.{field.Name}"] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        }

        return fields;
    }

    public static string Digest(IReadOnlyDictionary<string, string> fields)
    {
        var text = string.Join('\n', fields.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        return Sha256Digest.OfBytes(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>One line per differing field: <c>seed (checkpoint 5, this run 6)</c>.</summary>
    public static List<string> Differences(IReadOnlyDictionary<string, string> checkpoint, IReadOnlyDictionary<string, string> run) =>
        checkpoint.Keys.Union(run.Keys)
            .Order(StringComparer.Ordinal)
            .Select(key => (key, saved: checkpoint.GetValueOrDefault(key), now: run.GetValueOrDefault(key)))
            .Where(d => !string.Equals(d.saved, d.now, StringComparison.Ordinal))
            .Select(d => $"{d.key} (checkpoint {d.saved ?? "absent"}, this run {d.now ?? "absent"})")
            .ToList();
}
