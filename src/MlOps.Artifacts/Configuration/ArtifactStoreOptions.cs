namespace MlOps.Artifacts.Configuration;

/// <summary>
/// Where artifacts live, bound from configuration section <see cref="SectionName"/>:
/// <c>Kind = "layout"</c> with <see cref="Path"/> (the embedded default), or <c>Kind = "registry"</c> with
/// <see cref="Url"/> and optional credentials. <see cref="Validate"/> lists every problem at once.
/// </summary>
public sealed class ArtifactStoreOptions
{
    public const string SectionName = "Artifacts";

    public const string LayoutKind = "layout";

    public const string RegistryKind = "registry";

    public const int DefaultChunkSizeBytes = 16 * 1024 * 1024;

    public const int MinChunkSizeBytes = 4 * 1024;

    public const int MaxChunkSizeBytes = 512 * 1024 * 1024;

    /// <summary>Default <see cref="MaxBlobBytes"/>: 20 GiB.</summary>
    public const long DefaultMaxBlobBytes = 20L * 1024 * 1024 * 1024;

    /// <summary>Smallest <see cref="MaxBlobBytes"/> accepted: 1 MiB.</summary>
    public const long MinMaxBlobBytes = 1024 * 1024;

    /// <summary><c>layout</c> (default) or <c>registry</c>.</summary>
    public string Kind { get; set; } = LayoutKind;

    /// <summary>Layout: the root directory holding one OCI image layout per repository.</summary>
    public string? Path { get; set; }

    /// <summary>Registry: base URL such as <c>https://registry.example:5000</c> (the API is under <c>/v2/</c>).</summary>
    public string? Url { get; set; }

    /// <summary>Registry: user for Basic authentication, or sent to the token service for Bearer. Optional.</summary>
    public string? Username { get; set; }

    /// <summary>Registry: password for <see cref="Username"/>. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>Registry: blobs up to this size are uploaded in one request, larger ones in PATCH chunks of this size.
    /// Default 16 MiB; 4 KiB to 512 MiB.</summary>
    public int ChunkSizeBytes { get; set; } = DefaultChunkSizeBytes;

    /// <summary>Registry: allow a plain <c>http://</c> URL (loopback registries in tests and development). Default false.</summary>
    public bool Insecure { get; set; }

    /// <summary>Registry: how long one request may wait for the answer's headers. Default 100 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>Registry: how long to wait for a TCP connection. Default 10 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest blob one upload through the coordinator's ArtifactService (PushBlob) may carry; a larger one is
    /// refused with RESOURCE_EXHAUSTED and nothing is stored. Default 20 GiB (checkpoints and models of large networks);
    /// at least 1 MiB.</summary>
    public long MaxBlobBytes { get; set; } = DefaultMaxBlobBytes;

    /// <summary>Every problem with these options, each naming its key; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxBlobBytes < MinMaxBlobBytes)
        {
            errors.Add($"{SectionName}:MaxBlobBytes {MaxBlobBytes} is below the minimum of {MinMaxBlobBytes} bytes");
        }

        switch (Kind)
        {
            case LayoutKind:
                if (string.IsNullOrWhiteSpace(Path))
                {
                    errors.Add($"{SectionName}:Path is required when Kind is '{LayoutKind}'");
                }

                break;
            case RegistryKind:
                ValidateRegistry(errors);
                break;
            default:
                errors.Add($"{SectionName}:Kind '{Kind}' is not one of '{LayoutKind}', '{RegistryKind}'");
                break;
        }

        return errors;
    }

    private void ValidateRegistry(List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(Url))
        {
            errors.Add($"{SectionName}:Url is required when Kind is '{RegistryKind}'");
        }
        else if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add($"{SectionName}:Url '{Url}' is not an absolute http(s) URL");
        }
        else if (url.Scheme == Uri.UriSchemeHttp && !Insecure)
        {
            errors.Add($"{SectionName}:Url '{Url}' is plain http; set {SectionName}:Insecure to true to allow it");
        }
        else if (!string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment) || !string.IsNullOrEmpty(url.UserInfo))
        {
            errors.Add($"{SectionName}:Url '{Url}' must not carry a query, fragment or user info (use Username and Password)");
        }

        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            errors.Add($"{SectionName}:Username and {SectionName}:Password must be given together");
        }

        if (ChunkSizeBytes is < MinChunkSizeBytes or > MaxChunkSizeBytes)
        {
            errors.Add($"{SectionName}:ChunkSizeBytes {ChunkSizeBytes} is outside {MinChunkSizeBytes}..{MaxChunkSizeBytes}");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:RequestTimeout must be positive");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{SectionName}:ConnectTimeout must be positive");
        }
    }
}
