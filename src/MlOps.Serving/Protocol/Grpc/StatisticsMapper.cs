using MlOps.Serving.Models;
using MlOps.Contracts.Inference;

namespace MlOps.Serving.Protocol.Grpc;

/// <summary>Triton's ModelStatistics from the counters a served model keeps; REST renders the same message as JSON.</summary>
internal static class StatisticsMapper
{
    /// <summary>
    /// Statistics for every loaded version when <paramref name="name"/> is empty, every loaded version of one model
    /// when <paramref name="version"/> is empty, else one version.
    /// </summary>
    /// <exception cref="InferenceException">NotFound for an unknown model or version.</exception>
    public static ModelStatisticsResponse Collect(IModelRepository repository, string? name, string? version)
    {
        var response = new ModelStatisticsResponse();
        if (!string.IsNullOrEmpty(name) && !string.IsNullOrEmpty(version))
        {
            response.ModelStats.Add(ToProto(repository.Find(name, version)));
            return response;
        }

        var entries = repository.Index().Where(e => string.IsNullOrEmpty(name) || e.Name == name);
        foreach (var entry in entries.DistinctBy(e => (e.Name, e.Version)))
        {
            if (repository.TryGet(entry.Name, entry.Version, out var model))
            {
                response.ModelStats.Add(ToProto(model));
            }
        }

        if (!string.IsNullOrEmpty(name) && response.ModelStats.Count == 0)
        {
            // Reports NOT_FOUND for an unknown model, UNAVAILABLE for one with nothing loaded.
            response.ModelStats.Add(ToProto(repository.Find(name, null)));
        }

        return response;
    }

    public static ModelStatistics ToProto(IServedModel model)
    {
        var s = model.Statistics;
        var success = (ulong)Math.Max(0, s.SuccessCount);
        return new ModelStatistics
        {
            Name = model.Descriptor.Name,
            Version = model.Descriptor.Version,
            LastInference = (ulong)Math.Max(0, s.LastInferenceUnixMilliseconds),
            InferenceCount = (ulong)Math.Max(0, s.InferenceCount),
            ExecutionCount = (ulong)Math.Max(0, s.ExecutionCount),
            InferenceStats = new InferStatistics
            {
                Success = Duration(success, s.QueueNanoseconds + s.ComputeNanoseconds),
                Fail = Duration((ulong)Math.Max(0, s.FailureCount), 0),
                Queue = Duration(success, s.QueueNanoseconds),
                ComputeInput = Duration(success, 0),
                ComputeInfer = Duration(success, s.ComputeNanoseconds),
                ComputeOutput = Duration(success, 0),
                CacheHit = new StatisticDuration(),
                CacheMiss = new StatisticDuration(),
            },
        };
    }

    private static StatisticDuration Duration(ulong count, long nanoseconds) =>
        new() { Count = count, Ns = (ulong)Math.Max(0, nanoseconds) };
}
