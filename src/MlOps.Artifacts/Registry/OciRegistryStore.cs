using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Naming;
using MlOps.Artifacts.Verification;
using MlOps.Core.Digests;

namespace MlOps.Artifacts.Registry;

/// <summary>
/// A client of an OCI distribution registry (CNCF distribution, Harbor, zot, ...) written on HttpClient. Blob reads
/// and manifest reads are verified against their digests; pushes use <see cref="BlobUploader"/>; Basic and Bearer
/// authentication come from <see cref="RegistryAuthenticator"/>.
/// </summary>
internal sealed class OciRegistryStore : IRegistryArtifactStore
{
    private readonly RegistryConnection _connection;
    private readonly BlobUploader _uploader;

    public OciRegistryStore(RegistryClientOptions options, TimeProvider? time = null)
    {
        _connection = new RegistryConnection(options, time ?? TimeProvider.System);
        _uploader = new BlobUploader(_connection, options.ChunkSizeBytes);
    }

    public Uri BaseUri => _connection.BaseUri;

    public string Location => BaseUri.ToString();

    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _connection.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, _connection.Url(string.Empty)),
            RegistryScopes.None, "ping", cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw await _connection.FailureAsync(response, "ping", cancellationToken);
        }
    }

    public Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        Validate(repository, digest);
        return _uploader.ExistsAsync(repository, digest, $"check blob {digest} in {repository}", cancellationToken);
    }

    public Task<BlobDescriptor> PushBlobAsync(string repository, Stream content, string mediaType, CancellationToken cancellationToken = default)
    {
        ArtifactNames.ValidateRepository(repository);
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaType);
        return _uploader.UploadAsync(repository, content, mediaType, cancellationToken);
    }

    public async Task<bool> MountBlobAsync(string repository, string digest, string fromRepository, CancellationToken cancellationToken = default)
    {
        Validate(repository, digest);
        ArtifactNames.ValidateRepository(fromRepository, nameof(fromRepository));
        var what = $"mount blob {digest} from {fromRepository} into {repository}";
        var scopes = RegistryScopes.Mount(repository, fromRepository);
        var (status, location) = await _uploader.PostUploadAsync(
            repository, $"?mount={Uri.EscapeDataString(digest)}&from={Uri.EscapeDataString(fromRepository)}", scopes, what, cancellationToken);
        if (status == HttpStatusCode.Created)
        {
            return true;
        }

        // 202: the registry opened an ordinary upload instead of mounting; close it, the caller pushes the bytes.
        await _uploader.CancelAsync(location, scopes);
        return false;
    }

    public async Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        Validate(repository, digest);
        var what = $"read blob {digest} from {repository}";
        var response = await _connection.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, _connection.Url($"{repository}/blobs/{digest}")),
            RegistryScopes.Pull(repository), what, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await _connection.FailureAsync(response, what, cancellationToken);
        }

        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return new VerifyingStream(body, digest, response.Content.Headers.ContentLength, $"blob {digest} in {repository} at {Location}",
                owner: response, translateReadError: e => e is ArtifactException ? null : _connection.Translate(e, what, CancellationToken.None));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<string> PushManifestAsync(string repository, ReadOnlyMemory<byte> manifest, string mediaType, string? tag,
        CancellationToken cancellationToken = default)
    {
        ArtifactNames.ValidateRepository(repository);
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaType);
        if (tag is not null)
        {
            ArtifactNames.ValidateTag(tag);
        }

        var digest = Sha256Digest.OfBytes(manifest.Span);
        var what = $"push manifest {digest} to {repository}{(tag is null ? string.Empty : ":" + tag)}";
        using var response = await _connection.SendAsync(() =>
        {
            var content = new ReadOnlyMemoryContent(manifest);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return new HttpRequestMessage(HttpMethod.Put, _connection.Url($"{repository}/manifests/{tag ?? digest}")) { Content = content };
        }, RegistryScopes.Push(repository), what, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw await _connection.FailureAsync(response, what, cancellationToken);
        }

        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { } stored && stored != digest
            ? throw new ArtifactCorruptException($"{what}: registry {Location} stored it as {stored}")
            : digest;
    }

    public async Task<ManifestContent> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken = default)
    {
        ArtifactNames.ValidateRepository(repository);
        var isDigest = ArtifactNames.ValidateReference(reference);
        var what = $"read manifest {repository}{(isDigest ? "@" : ":")}{reference}";
        using var response = await _connection.SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, _connection.Url($"{repository}/manifests/{reference}"));
            foreach (var accepted in OciMediaTypes.AcceptedManifests)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accepted));
            }

            return request;
        }, RegistryScopes.Pull(repository), what, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw await _connection.FailureAsync(response, what, cancellationToken);
        }

        if (response.Content.Headers.ContentLength > OciManifest.MaxBytes)
        {
            throw new ArtifactInvalidException($"{what}: the manifest is {response.Content.Headers.ContentLength} bytes, over the limit");
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var digest = Sha256Digest.OfBytes(bytes);
        var claimed = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
        if ((isDigest && digest != reference) || (claimed is not null && claimed != digest))
        {
            throw new ArtifactCorruptException(
                $"{what}: the {bytes.Length} bytes received hash to {digest}, not {(isDigest ? reference : claimed)} (corrupt); not served");
        }

        var mediaType = response.Content.Headers.ContentType?.MediaType ?? ManifestReferences.DeclaredMediaTypeOf(bytes) ?? OciMediaTypes.ImageManifest;
        return new ManifestContent(bytes, mediaType, digest);
    }

    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken = default)
    {
        ArtifactNames.ValidateRepository(repository);
        var what = $"list tags of {repository}";
        var tags = new List<string>();
        Uri? url = _connection.Url($"{repository}/tags/list");
        while (url is not null)
        {
            var page = url;
            using var response = await _connection.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, page),
                RegistryScopes.Pull(repository), what, cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                // NAME_UNKNOWN: a repository nothing was pushed to has no tags.
                return [];
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw await _connection.FailureAsync(response, what, cancellationToken);
            }

            using var document = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
            if (document.RootElement.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                tags.AddRange(list.EnumerateArray().Select(t => t.GetString()).OfType<string>());
            }

            url = NextPage(response);
        }

        return tags.Distinct().Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The <c>Link: &lt;url&gt;; rel="next"</c> of a paginated tag list, resolved against the registry.</summary>
    private Uri? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
        {
            return null;
        }

        var link = links.FirstOrDefault(l => l.Contains("rel=\"next\"", StringComparison.Ordinal));
        var start = link?.IndexOf('<', StringComparison.Ordinal) ?? -1;
        var end = link?.IndexOf('>', StringComparison.Ordinal) ?? -1;
        return start >= 0 && end > start ? new Uri(BaseUri, link![(start + 1)..end]) : null;
    }

    private static void Validate(string repository, string digest)
    {
        ArtifactNames.ValidateRepository(repository);
        ArtifactNames.ValidateDigest(digest);
    }

    public void Dispose() => _connection.Dispose();
}
