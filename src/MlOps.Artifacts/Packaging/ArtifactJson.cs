using System.Text.Json;
using System.Text.Json.Serialization;
using MlOps.Artifacts.Datasets;
using MlOps.Artifacts.Models;

namespace MlOps.Artifacts.Packaging;

/// <summary>Source-generated JSON for the config blobs: camelCase, no whitespace, nulls left out.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(ModelArtifactConfig))]
[JsonSerializable(typeof(DatasetArtifactConfig))]
internal sealed partial class ArtifactJsonContext : JsonSerializerContext
{
    public static T Deserialize<T>(byte[] json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string source)
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new ArtifactInvalidException($"{source}: the config is JSON null");
        }
        catch (JsonException e)
        {
            throw new ArtifactInvalidException($"{source}: the config is not a valid {typeof(T).Name}: {e.Message}", e);
        }
    }
}
