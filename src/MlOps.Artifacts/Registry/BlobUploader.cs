using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using MlOps.Core.Digests;

namespace MlOps.Artifacts.Registry;

/// <summary>
/// Blob uploads per the OCI distribution spec. A blob that fits in one chunk: HEAD (skip when present), POST to open
/// an upload, PUT <c>?digest=</c> with the bytes. A larger one: POST, then PATCH chunks with
/// <c>Content-Range: start-end</c> (each answer's <c>Location</c> is where the next goes), then PUT <c>?digest=</c>
/// without a body; each chunk is hashed, and the next one read, while it is on the wire. A failed upload is cancelled
/// (DELETE), so the registry keeps nothing half-written.
/// </summary>
internal sealed class BlobUploader(RegistryConnection connection, int chunkSize)
{
    public async Task<BlobDescriptor> UploadAsync(string repository, Stream content, string mediaType, CancellationToken cancellationToken)
    {
        var what = $"push blob to {repository}";
        var scopes = RegistryScopes.Push(repository);
        var first = ArrayPool<byte>.Shared.Rent(chunkSize);
        var second = ArrayPool<byte>.Shared.Rent(chunkSize);
        Task<int>? pendingRead = null;
        Uri? location = null;
        try
        {
            var n = await ReadFullAsync(content, first, cancellationToken);
            if (n < chunkSize)
            {
                var digest = Sha256Digest.OfBytes(first.AsSpan(0, n));
                if (!await ExistsAsync(repository, digest, what, cancellationToken))
                {
                    location = await StartAsync(repository, scopes, what, cancellationToken);
                    await FinishAsync(location, digest, new ReadOnlyMemory<byte>(first, 0, n), scopes, what, cancellationToken);
                    location = null;
                }

                return new BlobDescriptor(mediaType, digest, n);
            }

            location = await StartAsync(repository, scopes, what, cancellationToken);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long offset = 0;
            var current = first;
            var next = second;
            while (n > 0)
            {
                pendingRead = ReadFullAsync(content, next, cancellationToken);
                var patch = PatchAsync(location, current, n, offset, scopes, what, cancellationToken);
                hash.AppendData(current, 0, n); // while the chunk is on the wire: both only read the buffer
                location = await patch;
                offset += n;
                n = await pendingRead;
                pendingRead = null;
                (current, next) = (next, current);
            }

            var blobDigest = Sha256Digest.Format(hash.GetHashAndReset());
            await FinishAsync(location, blobDigest, ReadOnlyMemory<byte>.Empty, scopes, what, cancellationToken);
            location = null;
            return new BlobDescriptor(mediaType, blobDigest, offset);
        }
        finally
        {
            if (pendingRead is not null)
            {
                // The buffer must not go back to the pool while a read still fills it.
                await pendingRead.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }

            if (location is not null)
            {
                await CancelAsync(location, scopes);
            }

            ArrayPool<byte>.Shared.Return(first);
            ArrayPool<byte>.Shared.Return(second);
        }
    }

    public async Task<bool> ExistsAsync(string repository, string digest, string what, CancellationToken cancellationToken)
    {
        using var response = await connection.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Head, connection.Url($"{repository}/blobs/{digest}")),
            RegistryScopes.Pull(repository), what, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.NotFound => false,
            _ => throw await connection.FailureAsync(response, what, cancellationToken),
        };
    }

    /// <summary>POST /v2/&lt;name&gt;/blobs/uploads/ (optionally with a query such as <c>mount=...&amp;from=...</c>).</summary>
    public async Task<(HttpStatusCode Status, Uri Location)> PostUploadAsync(string repository, string query, IReadOnlyList<string> scopes,
        string what, CancellationToken cancellationToken)
    {
        using var response = await connection.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, connection.Url($"{repository}/blobs/uploads/{query}")) { Content = new ByteArrayContent([]) },
            scopes, what, cancellationToken);
        if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.Created))
        {
            throw await connection.FailureAsync(response, what, cancellationToken);
        }

        return (response.StatusCode, LocationOf(response, what));
    }

    public async Task CancelAsync(Uri location, IReadOnlyList<string> scopes)
    {
        try
        {
            using var _ = await connection.SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, location), scopes, "cancel upload", CancellationToken.None);
        }
        catch (ArtifactException)
        {
            // Best effort: the registry purges abandoned uploads itself.
        }
    }

    private async Task<Uri> StartAsync(string repository, IReadOnlyList<string> scopes, string what, CancellationToken cancellationToken) =>
        (await PostUploadAsync(repository, string.Empty, scopes, what, cancellationToken)).Location;

    private async Task<Uri> PatchAsync(Uri location, byte[] buffer, int count, long offset, IReadOnlyList<string> scopes, string what,
        CancellationToken cancellationToken)
    {
        using var response = await connection.SendAsync(() => new HttpRequestMessage(HttpMethod.Patch, location)
        {
            Content = Octets(new ReadOnlyMemory<byte>(buffer, 0, count), $"{offset}-{offset + count - 1}"),
        }, scopes, what, cancellationToken);
        return response.StatusCode == HttpStatusCode.Accepted
            ? LocationOf(response, what)
            : throw await connection.FailureAsync(response, $"{what} (chunk at byte {offset})", cancellationToken);
    }

    private async Task FinishAsync(Uri location, string digest, ReadOnlyMemory<byte> body, IReadOnlyList<string> scopes, string what,
        CancellationToken cancellationToken)
    {
        var separator = string.IsNullOrEmpty(location.Query) ? "?" : "&";
        var url = new Uri(location.AbsoluteUri + separator + "digest=" + Uri.EscapeDataString(digest));
        using var response = await connection.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Put, url) { Content = Octets(body, contentRange: null) }, scopes, what, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw await connection.FailureAsync(response, $"{what} ({digest})", cancellationToken);
        }

        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { } stored && stored != digest)
        {
            throw new ArtifactCorruptException($"{what}: registry {connection.BaseUri} stored {stored} for a blob whose digest is {digest}");
        }
    }

    private Uri LocationOf(HttpResponseMessage response, string what) =>
        response.Headers.Location is { } location
            ? new Uri(connection.BaseUri, location)
            : throw new ArtifactInvalidException($"{what}: registry {connection.BaseUri} answered {(int)response.StatusCode} without a Location header");

    private static ReadOnlyMemoryContent Octets(ReadOnlyMemory<byte> body, string? contentRange)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (contentRange is not null)
        {
            // OCI wants "start-end", not HTTP's "bytes start-end/total", so the typed header cannot be used.
            content.Headers.TryAddWithoutValidation("Content-Range", contentRange);
        }

        return content;
    }

    /// <summary>Fills <paramref name="buffer"/> up to the chunk size (pooled buffers may be longer); fewer bytes only at the end.</summary>
    private async Task<int> ReadFullAsync(Stream content, byte[] buffer, CancellationToken cancellationToken) =>
        await content.ReadAtLeastAsync(buffer.AsMemory(0, chunkSize), chunkSize, throwOnEndOfStream: false, cancellationToken);
}
