using System.Buffers;
using System.Security.Cryptography;
using MlOps.Core.Digests;

namespace MlOps.Artifacts.Layout;

/// <summary>
/// Writes one blob into <c>blobs/sha256/</c>: the bytes go to a temporary file in that directory and are hashed on
/// the way; the file is flushed and renamed to its digest only when complete. Two concurrent pushes of the same
/// bytes each rename a complete file onto the same name, so the result is one good file either way, and a
/// failed or cancelled push leaves nothing under a digest name.
/// </summary>
internal static class BlobFileWriter
{
    private const int BufferSize = 1 << 20;

    public static async Task<(string Digest, long Size)> WriteAsync(string blobsDirectory, Stream content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(blobsDirectory);
        var temp = AtomicFile.NewTempPath(blobsDirectory);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: true))
            {
                int n;
                while ((n = await content.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    await file.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                    size += n;
                }

                file.Flush(flushToDisk: true);
            }

            var digest = Sha256Digest.Format(hash.GetHashAndReset());
            File.Move(temp, Path.Combine(blobsDirectory, digest[Sha256Digest.Prefix.Length..]), overwrite: true);
            return (digest, size);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
