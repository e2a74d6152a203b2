using System.Text.Json;
using Google.Protobuf.Collections;
using MlOps.Serving.Models;
using MlOps.Contracts.Inference;

namespace MlOps.Serving.Protocol.Rest;

/// <summary>
/// JSON bodies of the non-inference REST calls, rendered from the same protobuf messages the gRPC service answers
/// with. Written by hand rather than with protobuf's JSON formatter because clients expect Triton's form: snake_case
/// names and 64-bit integers as JSON numbers, not strings.
/// </summary>
internal static class RestJson
{
    public static void Metadata(Utf8JsonWriter w, ModelMetadataResponse m)
    {
        w.WriteStartObject();
        w.WriteString("name", m.Name);
        Strings(w, "versions", m.Versions);
        w.WriteString("platform", m.Platform);
        Tensors(w, "inputs", m.Inputs);
        Tensors(w, "outputs", m.Outputs);
        w.WriteEndObject();
    }

    /// <summary>Triton's JSON config; parameters as <c>"parameters": {"key": {"string_value": "..."}}</c>, in the
    /// message's order (sorted by key).</summary>
    public static void Config(Utf8JsonWriter w, ModelConfig c)
    {
        w.WriteStartObject();
        w.WriteString("name", c.Name);
        w.WriteString("platform", c.Platform);
        w.WriteString("backend", c.Backend);
        w.WriteNumber("max_batch_size", c.MaxBatchSize);
        w.WriteStartArray("input");
        foreach (var input in c.Input)
        {
            w.WriteStartObject();
            w.WriteString("name", input.Name);
            w.WriteString("data_type", EnumName(input.DataType));
            w.WriteString("format", EnumName(input.Format));
            Numbers(w, "dims", input.Dims);
            w.WriteBoolean("optional", input.Optional);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("output");
        foreach (var output in c.Output)
        {
            w.WriteStartObject();
            w.WriteString("name", output.Name);
            w.WriteString("data_type", EnumName(output.DataType));
            Numbers(w, "dims", output.Dims);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (c.DynamicBatching is not null)
        {
            w.WriteStartObject("dynamic_batching");
            w.WriteNumber("max_queue_delay_microseconds", c.DynamicBatching.MaxQueueDelayMicroseconds);
            w.WriteEndObject();
        }

        w.WriteStartObject("model_transaction_policy");
        w.WriteBoolean("decoupled", c.ModelTransactionPolicy?.Decoupled ?? false);
        w.WriteEndObject();
        w.WriteStartObject("parameters");
        foreach (var (key, parameter) in c.Parameters)
        {
            w.WriteStartObject(key);
            w.WriteString("string_value", parameter.StringValue);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void Statistics(Utf8JsonWriter w, ModelStatisticsResponse response)
    {
        w.WriteStartObject();
        w.WriteStartArray("model_stats");
        foreach (var s in response.ModelStats)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteString("version", s.Version);
            w.WriteNumber("last_inference", s.LastInference);
            w.WriteNumber("inference_count", s.InferenceCount);
            w.WriteNumber("execution_count", s.ExecutionCount);
            var i = s.InferenceStats ?? new InferStatistics();
            w.WriteStartObject("inference_stats");
            Duration(w, "success", i.Success);
            Duration(w, "fail", i.Fail);
            Duration(w, "queue", i.Queue);
            Duration(w, "compute_input", i.ComputeInput);
            Duration(w, "compute_infer", i.ComputeInfer);
            Duration(w, "compute_output", i.ComputeOutput);
            Duration(w, "cache_hit", i.CacheHit);
            Duration(w, "cache_miss", i.CacheMiss);
            w.WriteEndObject();
            w.WriteStartObject("response_stats");
            w.WriteEndObject();
            w.WriteStartArray("batch_stats");
            w.WriteEndArray();
            w.WriteStartArray("memory_usage");
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The repository index is a bare JSON array, as Triton answers it.</summary>
    public static void Index(Utf8JsonWriter w, IEnumerable<ModelIndexEntry> entries)
    {
        w.WriteStartArray();
        foreach (var e in entries)
        {
            w.WriteStartObject();
            w.WriteString("name", e.Name);
            w.WriteString("version", e.Version);
            w.WriteString("state", e.State);
            w.WriteString("reason", e.Reason);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void Tensors(Utf8JsonWriter w, string name, RepeatedField<ModelMetadataResponse.Types.TensorMetadata> tensors)
    {
        w.WriteStartArray(name);
        foreach (var t in tensors)
        {
            w.WriteStartObject();
            w.WriteString("name", t.Name);
            w.WriteString("datatype", t.Datatype);
            Numbers(w, "shape", t.Shape);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void Duration(Utf8JsonWriter w, string name, StatisticDuration? d)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", d?.Count ?? 0);
        w.WriteNumber("ns", d?.Ns ?? 0);
        w.WriteEndObject();
    }

    private static void Numbers(Utf8JsonWriter w, string name, IEnumerable<long> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    /// <summary>The proto name of an enum value (<c>TYPE_FP32</c>, <c>FORMAT_NONE</c>), as Triton's JSON config shows it.</summary>
    private static string EnumName<T>(T value) where T : struct, Enum =>
        typeof(T).GetField(value.ToString())?.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false)
            is [Google.Protobuf.Reflection.OriginalNameAttribute original, ..] ? original.Name : value.ToString();
}
