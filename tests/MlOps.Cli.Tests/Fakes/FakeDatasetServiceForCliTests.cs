using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MlOps.Artifacts;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>
/// TEST DOUBLE of the coordinator's DatasetService for CLI tests. CreateDatasetVersion reads the manifest from the
/// fake ArtifactService's store (NOT_FOUND when it was not pushed), lists its layers as the files, numbers the
/// version, and answers the existing version when the same name and digest come again. It does not check the
/// files' format: that is the coordinator's business, tested there.
/// </summary>
internal sealed class FakeDatasetServiceForCliTests(FakeArtifactServiceForCliTests artifacts) : DatasetService.DatasetServiceBase
{
    private const string TitleAnnotation = "org.opencontainers.image.title";

    private readonly Lock _lock = new();

    public List<DatasetVersion> Versions { get; } = [];

    public ConcurrentQueue<CreateDatasetVersionRequest> Created { get; } = new();

    public ConcurrentQueue<string> References { get; } = new();

    public DatasetVersion Add(string name, int version, string digest, params (string Name, long Size)[] files)
    {
        var entry = new DatasetVersion
        {
            Name = name,
            Version = version,
            Digest = digest,
            Repository = "datasets/" + name,
            Format = "mnist-idx",
            TrainCount = 60_000,
            TestCount = 10_000,
            CreatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)),
        };
        foreach (var (fileName, size) in files)
        {
            entry.Files.Add(new DatasetFile { Name = fileName, Digest = "sha256:" + new string('f', 64), Size = size });
        }

        lock (_lock)
        {
            Versions.Add(entry);
        }

        return entry;
    }

    public override async Task<DatasetVersion> CreateDatasetVersion(CreateDatasetVersionRequest request, ServerCallContext context)
    {
        Created.Enqueue(request);
        var repository = "datasets/" + request.Name;
        byte[] manifest;
        try
        {
            manifest = (await artifacts.Store.GetManifestAsync(repository, request.ManifestDigest, context.CancellationToken)).Bytes;
        }
        catch (ArtifactNotFoundException)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"manifest_digest: repository '{repository}' has no manifest {request.ManifestDigest}"));
        }

        lock (_lock)
        {
            var existing = Versions.FirstOrDefault(v => v.Name == request.Name && v.Digest == request.ManifestDigest);
            if (existing is not null)
            {
                return existing;
            }

            var version = new DatasetVersion
            {
                Name = request.Name,
                Version = Versions.Count(v => v.Name == request.Name) + 1,
                Digest = request.ManifestDigest,
                Repository = repository,
                Format = request.Format.Length > 0 ? request.Format : "mnist-idx",
                TrainCount = 1000,
                TestCount = 200,
                CreatedAt = Timestamp.FromDateTime(DateTime.UtcNow),
            };
            using var json = JsonDocument.Parse(manifest);
            foreach (var layer in json.RootElement.GetProperty("layers").EnumerateArray())
            {
                version.Files.Add(new DatasetFile
                {
                    Name = layer.TryGetProperty("annotations", out var a) && a.TryGetProperty(TitleAnnotation, out var title) ? title.GetString() : "",
                    Digest = layer.GetProperty("digest").GetString(),
                    Size = layer.GetProperty("size").GetInt64(),
                });
            }

            Versions.Add(version);
            return version;
        }
    }

    public override Task<ListDatasetsResponse> ListDatasets(ListDatasetsRequest request, ServerCallContext context)
    {
        var response = new ListDatasetsResponse();
        lock (_lock)
        {
            response.Versions.Add(Versions.Where(v => request.Name.Length == 0 || v.Name == request.Name));
        }

        return Task.FromResult(response);
    }

    public override Task<DatasetVersion> GetDatasetVersion(GetDatasetVersionRequest request, ServerCallContext context)
    {
        References.Enqueue(request.Reference);
        lock (_lock)
        {
            var reference = request.Reference;
            var at = reference.IndexOf('@', StringComparison.Ordinal);
            var found = reference.StartsWith("sha256:", StringComparison.Ordinal)
                ? Versions.FirstOrDefault(v => v.Digest == reference)
                : at < 0
                    ? Versions.Where(v => v.Name == reference).MaxBy(v => v.Version)
                    : Versions.FirstOrDefault(v => v.Name == reference[..at] &&
                        v.Version.ToString(CultureInfo.InvariantCulture) == reference[(at + 1)..]);
            return Task.FromResult(found ?? throw new RpcException(new Status(StatusCode.NotFound, $"dataset {reference} not found")));
        }
    }
}
