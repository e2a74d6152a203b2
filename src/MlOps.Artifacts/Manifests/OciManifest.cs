using System.Text.Encodings.Web;
using System.Text.Json;
using MlOps.Artifacts.Naming;

namespace MlOps.Artifacts.Manifests;

/// <summary>
/// An OCI image manifest (schemaVersion 2) as used for artifacts: an <see cref="ArtifactType"/>, a config blob, layers
/// and annotations. <see cref="ToJsonBytes"/> is deterministic (fixed property order, annotation keys sorted
/// ordinally, no whitespace), so the same content always gives the same manifest digest.
/// </summary>
public sealed record OciManifest(BlobDescriptor Config, IReadOnlyList<BlobDescriptor> Layers)
{
    public const int SchemaVersion = 2;

    /// <summary>Registries refuse larger manifests (distribution's limit is 4 MiB).</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        // '+' in media types stays readable; the output is still plain, valid JSON.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string MediaType => OciMediaTypes.ImageManifest;

    public string? ArtifactType { get; init; }

    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>The config and every layer, in manifest order.</summary>
    public IEnumerable<BlobDescriptor> References => [Config, .. Layers];

    /// <summary>The canonical bytes: the manifest's digest is taken over exactly these.</summary>
    public byte[] ToJsonBytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", SchemaVersion);
            writer.WriteString("mediaType", MediaType);
            if (ArtifactType is not null)
            {
                writer.WriteString("artifactType", ArtifactType);
            }

            writer.WritePropertyName("config");
            WriteDescriptor(writer, Config);
            writer.WriteStartArray("layers");
            foreach (var layer in Layers)
            {
                WriteDescriptor(writer, layer);
            }

            writer.WriteEndArray();
            WriteAnnotations(writer, Annotations);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Reads an OCI image manifest; anything malformed is an <see cref="ArtifactInvalidException"/>.</summary>
    public static OciManifest Parse(ReadOnlySpan<byte> json, string source)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ArtifactInvalidException($"{source}: a manifest must be a JSON object");
            }

            if (!root.TryGetProperty("schemaVersion", out var version) || version.GetInt32() != SchemaVersion)
            {
                throw new ArtifactInvalidException($"{source}: schemaVersion must be {SchemaVersion}");
            }

            if (root.TryGetProperty("mediaType", out var mediaType) && mediaType.GetString() != OciMediaTypes.ImageManifest)
            {
                throw new ArtifactInvalidException($"{source}: mediaType '{mediaType.GetString()}' is not an OCI image manifest");
            }

            var config = root.TryGetProperty("config", out var c)
                ? ReadDescriptor(c, source)
                : throw new ArtifactInvalidException($"{source}: the manifest has no config");
            var layers = root.TryGetProperty("layers", out var l) && l.ValueKind == JsonValueKind.Array
                ? l.EnumerateArray().Select(e => ReadDescriptor(e, source)).ToList()
                : throw new ArtifactInvalidException($"{source}: the manifest has no layers array");
            return new OciManifest(config, layers)
            {
                ArtifactType = root.TryGetProperty("artifactType", out var a) ? a.GetString() : null,
                Annotations = ReadAnnotations(root),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            throw new ArtifactInvalidException($"{source}: not a valid OCI manifest: {e.Message}", e);
        }
    }

    internal static BlobDescriptor ReadDescriptor(JsonElement element, string source)
    {
        var mediaType = element.GetProperty("mediaType").GetString() ?? throw new FormatException("descriptor mediaType is null");
        var digest = ArtifactNames.ValidateDigest(element.GetProperty("digest").GetString());
        var size = element.GetProperty("size").GetInt64();
        return size < 0
            ? throw new ArtifactInvalidException($"{source}: descriptor {digest} has a negative size")
            : new BlobDescriptor(mediaType, digest, size) { Annotations = ReadAnnotations(element) };
    }

    private static Dictionary<string, string>? ReadAnnotations(JsonElement element) =>
        element.TryGetProperty("annotations", out var annotations) && annotations.ValueKind == JsonValueKind.Object
            ? annotations.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal)
            : null;

    internal static void WriteDescriptor(Utf8JsonWriter writer, BlobDescriptor descriptor)
    {
        writer.WriteStartObject();
        writer.WriteString("mediaType", descriptor.MediaType);
        writer.WriteString("digest", descriptor.Digest);
        writer.WriteNumber("size", descriptor.Size);
        WriteAnnotations(writer, descriptor.Annotations);
        writer.WriteEndObject();
    }

    private static void WriteAnnotations(Utf8JsonWriter writer, IReadOnlyDictionary<string, string>? annotations)
    {
        if (annotations is not { Count: > 0 })
        {
            return;
        }

        writer.WriteStartObject("annotations");
        foreach (var (key, value) in annotations.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            writer.WriteString(key, value);
        }

        writer.WriteEndObject();
    }
}
