namespace MlOps.Artifacts.Manifests;

/// <summary>The pre-defined <c>org.opencontainers.image.*</c> annotation keys this project uses.</summary>
public static class OciAnnotations
{
    /// <summary>Date and time the artifact was built, RFC 3339.</summary>
    public const string Created = "org.opencontainers.image.created";

    /// <summary>Version of the packaged software (here: of the model or dataset).</summary>
    public const string Version = "org.opencontainers.image.version";

    /// <summary>Source control revision the artifact was built from.</summary>
    public const string Revision = "org.opencontainers.image.revision";

    /// <summary>Human-readable title; on a layer, the file name it is written to on pull.</summary>
    public const string Title = "org.opencontainers.image.title";

    public const string Description = "org.opencontainers.image.description";

    /// <summary>In an image layout's index.json: the tag an entry carries.</summary>
    public const string RefName = "org.opencontainers.image.ref.name";

    /// <summary>RFC 3339 in UTC with second precision, so the same instant always gives the same manifest bytes.</summary>
    public static string FormatCreated(DateTimeOffset created) =>
        created.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
