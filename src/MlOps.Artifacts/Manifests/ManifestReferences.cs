using System.Text.Json;

namespace MlOps.Artifacts.Manifests;

/// <summary>What a store needs to know about any manifest it is given (image manifest, index or Docker v2): the
/// media type it declares and the digests it points at, which must all be present before it is accepted.</summary>
internal sealed record ManifestReferences(string? DeclaredMediaType, IReadOnlyList<string> Digests)
{
    /// <summary>Parses <paramref name="manifest"/>; throws <see cref="ArtifactInvalidException"/> when it is not a
    /// schemaVersion 2 manifest or its media type disagrees with <paramref name="mediaType"/>.</summary>
    public static ManifestReferences Read(ReadOnlySpan<byte> manifest, string mediaType, string source)
    {
        if (manifest.Length > OciManifest.MaxBytes)
        {
            throw new ArtifactInvalidException($"{source}: the manifest is {manifest.Length} bytes, over the {OciManifest.MaxBytes}-byte limit");
        }

        try
        {
            var reader = new Utf8JsonReader(manifest);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object ||
                !root.TryGetProperty("schemaVersion", out var version) || version.GetInt32() != OciManifest.SchemaVersion)
            {
                throw new ArtifactInvalidException($"{source}: not a manifest (a JSON object with schemaVersion 2 is expected)");
            }

            var declared = root.TryGetProperty("mediaType", out var m) ? m.GetString() : null;
            if (declared is not null && declared != mediaType)
            {
                throw new ArtifactInvalidException($"{source}: the manifest declares mediaType '{declared}' but was sent as '{mediaType}'");
            }

            var digests = new List<string>();
            if (root.TryGetProperty("config", out var config))
            {
                digests.Add(OciManifest.ReadDescriptor(config, source).Digest);
            }

            foreach (var name in (string[])["layers", "manifests"])
            {
                if (root.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    digests.AddRange(list.EnumerateArray().Select(e => OciManifest.ReadDescriptor(e, source).Digest));
                }
            }

            return new ManifestReferences(declared, digests);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            throw new ArtifactInvalidException($"{source}: not a valid manifest: {e.Message}", e);
        }
    }

    /// <summary>The media type a stored manifest declares in its JSON, or null when it declares none or is not JSON.</summary>
    public static string? DeclaredMediaTypeOf(ReadOnlySpan<byte> manifest)
    {
        try
        {
            var reader = new Utf8JsonReader(manifest);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object &&
                   document.RootElement.TryGetProperty("mediaType", out var m) && m.ValueKind == JsonValueKind.String
                ? m.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
