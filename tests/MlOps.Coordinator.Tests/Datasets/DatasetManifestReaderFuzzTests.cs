using System.Text;
using Grpc.Core;
using MlOps.Artifacts;
using MlOps.Artifacts.Manifests;
using MlOps.Coordinator.Datasets;
using MlOps.Core.Digests;
using MlOps.Testing.Fuzzing;
using Xunit.Abstractions;

namespace MlOps.Coordinator.Tests.Datasets;

/// <summary>
/// The coordinator's reader of a dataset version a client pushed (RegisterDataset): its manifest and config come from
/// the client, so mutation fuzzing of both must only ever give a <see cref="DatasetRegistrationException"/> (the status
/// the caller sees), never another exception.
/// </summary>
public sealed class DatasetManifestReaderFuzzTests(ITestOutputHelper output)
{
    private const string Repository = "datasets/fuzz";
    private static readonly string FileDigest = "sha256:" + new string('a', 64);

    private static readonly byte[] Config = Encoding.UTF8.GetBytes(
        $$"""{"schemaVersion":1,"name":"fuzz","files":[{"name":"train-images.gz","digest":"{{FileDigest}}","size":6}],"version":"1"}""");

    private static readonly string[] Vocabulary =
    [
        "\"files\"", "\"name\"", "\"digest\"", "\"size\"", "\"layers\"", "\"config\"", "\"annotations\"", "\"artifactType\"",
        "\"org.opencontainers.image.title\"", OciMediaTypes.DatasetArtifact, OciMediaTypes.DatasetConfig, "\"../x\"", "\".hidden\"",
        "\"dataset.json\"", "null", "[", "]", "{", "}", ",", ":", "-1", "\\ud800",
    ];

    [Fact]
    public async Task ReadAsync_ConfigListsNullFile_InvalidArgumentNotNullReference()
    {
        var config = """{"name":"fuzz","files":[null]}"""u8.ToArray();
        var reader = new DatasetManifestReader(new ReplayStore(Manifest(config), config));

        var error = await Assert.ThrowsAsync<DatasetRegistrationException>(() => reader.ReadAsync(Repository, Digest(config), CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.Status);
        Assert.Contains("null entry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Fuzz")]
    public void ReadAsync_MutatedManifestsAndConfigs_OnlyRegistrationErrors()
    {
        var manifest = Manifest(Config);
        byte[][] seeds = [[0, .. Config], [1, .. manifest], [0, .. """{"name":"x","files":[null]}"""u8.ToArray()]];

        var report = FuzzRun.Run("dataset registration (coordinator)", seeds, input =>
        {
            if (input.Length == 0)
            {
                return;
            }

            // First byte: 0 mutates the config (inside a manifest that names it correctly), 1 the manifest.
            var body = input[1..];
            var store = input[0] % 2 == 0 ? new ReplayStore(Manifest(body), body) : new ReplayStore(body, Config);
            new DatasetManifestReader(store).ReadAsync(Repository, Digest(body), CancellationToken.None).GetAwaiter().GetResult();
        }, new FuzzOptions
        {
            Iterations = 80_000,
            Dictionary = Vocabulary,
            IsExpected = e => e is DatasetRegistrationException,
        }.WithEnvironment());

        output.WriteLine(report.Summary);
        Assert.True(report.Passed, report.Describe());
        Assert.True(FuzzOptions.IsCampaign || report.Inputs >= 500, report.Summary);
    }

    private static string Digest(byte[] bytes) => Sha256Digest.OfBytes(bytes);

    private static byte[] Manifest(byte[] config) =>
        new OciManifest(
            new BlobDescriptor(OciMediaTypes.DatasetConfig, Digest(config), config.Length),
            [new BlobDescriptor(OciMediaTypes.DatasetFile, FileDigest, 6) { Annotations = new Dictionary<string, string> { [OciAnnotations.Title] = "train-images.gz" } }])
        {
            ArtifactType = OciMediaTypes.DatasetArtifact,
        }.ToJsonBytes();

    /// <summary>Answers every manifest request with one manifest and serves one config blob by its digest.</summary>
    private sealed class ReplayStore(byte[] manifest, byte[] config) : IArtifactStore
    {
        public string Location => "replay";

        public Task<ManifestContent> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken = default) =>
            Task.FromResult(new ManifestContent(manifest, OciMediaTypes.ImageManifest, Digest(manifest)));

        public Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken = default) =>
            digest == Digest(config)
                ? Task.FromResult<Stream>(new MemoryStream(config, writable: false))
                : throw new ArtifactNotFoundException($"blob {digest} is not in the replay store");

        public Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken = default) =>
            Task.FromResult(digest == Digest(config));

        public Task<BlobDescriptor> PushBlobAsync(string repository, Stream content, string mediaType, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<string> PushManifestAsync(string repository, ReadOnlyMemory<byte> manifestBytes, string mediaType, string? tag,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<string>>([]);
    }
}
