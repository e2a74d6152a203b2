using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MlOps.Artifacts.Manifests;

namespace MlOps.Artifacts.Layout;

/// <summary>
/// An image layout's index.json: the manifests of the repository, each tag being an entry with an
/// <c>org.opencontainers.image.ref.name</c> annotation. Properties this code does not know are kept as they are.
/// </summary>
internal sealed class LayoutIndex
{
    private static readonly JsonSerializerOptions WriteOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly JsonObject _root;

    private LayoutIndex(JsonObject root) => _root = root;

    public static LayoutIndex Empty() => new(new JsonObject
    {
        ["schemaVersion"] = 2,
        ["mediaType"] = OciMediaTypes.ImageIndex,
        ["manifests"] = new JsonArray(),
    });

    /// <summary>Reads index.json; a missing file is an empty index, a malformed one an <see cref="ArtifactCorruptException"/>.</summary>
    public static async Task<LayoutIndex> LoadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Empty();
        }

        return Parse(bytes, path);
    }

    /// <summary>Reads the bytes of an index.json; anything this class would not read back safely (a manifests entry that
    /// is not an object, a digest, media type or tag that is not a string, annotations that are not an object) is an
    /// <see cref="ArtifactCorruptException"/> naming <paramref name="source"/>.</summary>
    internal static LayoutIndex Parse(byte[] bytes, string source)
    {
        try
        {
            if (JsonNode.Parse(bytes) is not JsonObject root || root["manifests"] is not JsonArray manifests)
            {
                throw new ArtifactCorruptException($"{source}: not an OCI image index (no manifests array)");
            }

            // JsonNode reads lazily: invalid UTF-8 in a name, a duplicate key or a lone surrogate would only throw when
            // first touched, later and elsewhere (found by fuzzing). Writing the tree once touches everything now.
            _ = root.ToJsonString(WriteOptions);
            for (var i = 0; i < manifests.Count; i++)
            {
                if (EntryProblem(manifests[i]) is { } problem)
                {
                    throw new ArtifactCorruptException($"{source}: manifests[{i}] {problem}");
                }
            }

            return new LayoutIndex(root);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            throw new ArtifactCorruptException($"{source}: not a valid OCI image index: {e.Message}", e);
        }
    }

    private static string? EntryProblem(JsonNode? entry) => entry switch
    {
        not JsonObject => "is not an object",
        JsonObject e when !IsStringOrAbsent(e["digest"]) => "has a digest that is not a string",
        JsonObject e when !IsStringOrAbsent(e["mediaType"]) => "has a mediaType that is not a string",
        JsonObject e when e["size"] is { } size && (size.GetValueKind() != JsonValueKind.Number || !size.AsValue().TryGetValue<long>(out _)) =>
            "has a size that is not a whole number",
        JsonObject e when e["annotations"] is { } annotations &&
            (annotations is not JsonObject map || !IsStringOrAbsent(map[OciAnnotations.RefName])) => "has annotations that are not an object of strings",
        _ => null,
    };

    private static bool IsStringOrAbsent(JsonNode? node) => node is null || (node.GetValueKind() == JsonValueKind.String && node.GetValue<string>() is not null);

    private JsonArray Manifests => (JsonArray)_root["manifests"]!;

    public IEnumerable<(string Digest, string MediaType, string? Tag)> Entries =>
        Manifests.OfType<JsonObject>().Select(e => (
            e["digest"]?.GetValue<string>() ?? string.Empty,
            e["mediaType"]?.GetValue<string>() ?? OciMediaTypes.ImageManifest,
            e["annotations"]?[OciAnnotations.RefName]?.GetValue<string>()));

    public IReadOnlyList<string> Tags =>
        Entries.Where(e => e.Tag is not null).Select(e => e.Tag!).Distinct().Order(StringComparer.Ordinal).ToList();

    public (string Digest, string MediaType)? Find(string tag) =>
        Entries.Where(e => e.Tag == tag).Select(e => ((string, string)?)(e.Digest, e.MediaType)).LastOrDefault();

    public string? MediaTypeOf(string digest) => Entries.Where(e => e.Digest == digest).Select(e => e.MediaType).FirstOrDefault();

    /// <summary>Records a manifest and, when <paramref name="tag"/> is given, moves the tag to it. A manifest that loses
    /// its last tag stays as an untagged entry, so it remains reachable (not garbage) in the layout.</summary>
    public void Put(BlobDescriptor manifest, string? tag)
    {
        var manifests = Manifests;
        if (tag is not null)
        {
            foreach (var old in manifests.OfType<JsonObject>().Where(e => RefName(e) == tag).ToList())
            {
                manifests.Remove(old);
                var oldDigest = old["digest"]?.GetValue<string>();
                if (oldDigest is not null && oldDigest != manifest.Digest && !Entries.Any(e => e.Digest == oldDigest))
                {
                    manifests.Add(Entry(oldDigest, old["mediaType"]?.GetValue<string>() ?? manifest.MediaType,
                        old["size"]?.GetValue<long>() ?? 0, tag: null));
                }
            }

            foreach (var untagged in manifests.OfType<JsonObject>().Where(e => RefName(e) is null && Digest(e) == manifest.Digest).ToList())
            {
                manifests.Remove(untagged);
            }

            manifests.Add(Entry(manifest.Digest, manifest.MediaType, manifest.Size, tag));
        }
        else if (!Entries.Any(e => e.Digest == manifest.Digest))
        {
            manifests.Add(Entry(manifest.Digest, manifest.MediaType, manifest.Size, tag: null));
        }
    }

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(_root, WriteOptions);

    private static string? RefName(JsonObject entry) => entry["annotations"]?[OciAnnotations.RefName]?.GetValue<string>();

    private static string? Digest(JsonObject entry) => entry["digest"]?.GetValue<string>();

    private static JsonObject Entry(string digest, string mediaType, long size, string? tag)
    {
        var entry = new JsonObject { ["mediaType"] = mediaType, ["digest"] = digest, ["size"] = size };
        if (tag is not null)
        {
            entry["annotations"] = new JsonObject { [OciAnnotations.RefName] = tag };
        }

        return entry;
    }
}
