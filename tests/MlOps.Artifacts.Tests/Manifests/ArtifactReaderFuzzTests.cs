using System.Text;
using MlOps.Artifacts.Datasets;
using MlOps.Artifacts.Layout;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Models;
using MlOps.Artifacts.Packaging;
using MlOps.Artifacts.Tests.Infrastructure;
using MlOps.Core.Digests;
using MlOps.Testing;
using MlOps.Testing.Fuzzing;
using Xunit.Abstractions;

namespace MlOps.Artifacts.Tests.Manifests;

/// <summary>
/// Mutation fuzzing of what the artifact library reads from a store or a client: OCI manifests (parse, the references a
/// store checks before accepting one, and the model and dataset pulls up to their first download), model and dataset
/// config blobs (through the same pulls, inside a manifest that names them correctly) and the image layout's
/// index.json. Seeds are real artifacts pushed to an image layout. The only failures allowed are
/// <see cref="ArtifactException"/>s naming the content.
/// </summary>
public sealed class ArtifactReaderFuzzTests(ITestOutputHelper output) : IDisposable
{
    private const string Repository = "models/fuzz";
    private static readonly string Reference = "sha256:" + new string('0', 64);

    private static readonly string[] JsonVocabulary =
    [
        "\"schemaVersion\"", "\"mediaType\"", "\"artifactType\"", "\"config\"", "\"layers\"", "\"manifests\"", "\"annotations\"",
        "\"digest\"", "\"size\"", "\"org.opencontainers.image.title\"", "\"org.opencontainers.image.ref.name\"", "\"files\"", "\"name\"",
        "\"signature\"", "\"inputs\"", "\"outputs\"", "\"shape\"", "\"dataType\"", "\"metrics\"", "\"lineage\"", "\"onnxDigest\"",
        "\"sha256:", OciMediaTypes.OnnxModel, OciMediaTypes.ModelArtifact, OciMediaTypes.DatasetArtifact, OciMediaTypes.DatasetFile,
        "\"../../etc/passwd\"", "\"/etc/passwd\"", "\"model.onnx\"", "\"dataset.json\"", "\".tmp-x\"", "\"a\\u0000b\"", "\\ud800",
        "null", "true", "[", "]", "{", "}", ",", ":", "-1", "1e400",
    ];

    private readonly TempDirectory _temp = new("mlops-artifact-fuzz");

    public void Dispose() => _temp.Dispose();

    [Fact]
    [Trait("Category", "Fuzz")]
    public async Task Manifests_Mutated_OnlyArtifactErrors()
    {
        var (model, dataset) = await RealArtifactsAsync();
        var seeds = new[] { model.Manifest, dataset.Manifest }.Concat(FuzzInputs.HostileJson(Encoding.UTF8.GetString(model.Manifest))).ToList();

        var report = FuzzRun.Run("OCI manifest", seeds, manifest =>
        {
            _ = OciManifest.Parse(manifest, "fuzz");
            _ = ManifestReferences.Read(manifest, OciMediaTypes.ImageManifest, "fuzz");
            Pull(new ReplayArtifactStore(manifest, model.Config), dataset: false);
            Pull(new ReplayArtifactStore(manifest, dataset.Config), dataset: true);
        }, Options(50_000));

        output.WriteLine(report.Summary);
        Assert.True(report.Passed, report.Describe());
        Assert.True(FuzzOptions.IsCampaign || report.Inputs >= 500, report.Summary);
    }

    [Fact]
    [Trait("Category", "Fuzz")]
    public async Task Configs_Mutated_OnlyArtifactErrors()
    {
        var (model, dataset) = await RealArtifactsAsync();
        var modelManifest = OciManifest.Parse(model.Manifest, "seed");
        var datasetManifest = OciManifest.Parse(dataset.Manifest, "seed");
        var seeds = new[] { model.Config, dataset.Config }.Concat(FuzzInputs.HostileJson(Encoding.UTF8.GetString(model.Config))).ToList();

        var report = FuzzRun.Run("model and dataset config", seeds, config =>
        {
            // The manifest names this config correctly, so the config itself is what is under test.
            Pull(new ReplayArtifactStore(Around(modelManifest, OciMediaTypes.ModelConfig, config), config), dataset: false);
            Pull(new ReplayArtifactStore(Around(datasetManifest, OciMediaTypes.DatasetConfig, config), config), dataset: true);
        }, Options(40_000));

        output.WriteLine(report.Summary);
        Assert.True(report.Passed, report.Describe());
        Assert.True(FuzzOptions.IsCampaign || report.Inputs >= 500, report.Summary);
    }

    [Fact]
    [Trait("Category", "Fuzz")]
    public async Task LayoutIndex_Mutated_OnlyCorruptErrors()
    {
        var store = new OciLayoutStore(_temp.Combine("index-store"));
        var config = await store.PushBytesAsync(Repository, "{}"u8.ToArray(), "application/json");
        var manifest = new OciManifest(config, []).ToJsonBytes();
        await store.PushManifestAsync(Repository, manifest, OciMediaTypes.ImageManifest, "v1");
        await store.PushManifestAsync(Repository, manifest, OciMediaTypes.ImageManifest, "v2");
        var index = await File.ReadAllBytesAsync(Path.Combine(store.RepositoryDirectory(Repository), "index.json"));
        var seeds = new[] { index }.Concat(FuzzInputs.HostileJson(Encoding.UTF8.GetString(index))).ToList();
        var descriptor = new BlobDescriptor(OciMediaTypes.ImageManifest, Sha256Digest.OfBytes(manifest), manifest.Length);

        var report = FuzzRun.Run("image layout index.json", seeds, bytes =>
        {
            var read = LayoutIndex.Parse(bytes, "fuzz/index.json");
            _ = read.Tags;
            _ = read.Find("v1");
            _ = read.MediaTypeOf(descriptor.Digest);
            read.Put(descriptor, "v3");
            read.Put(descriptor, "v1");
            _ = read.ToJsonBytes();
        }, Options(30_000));

        output.WriteLine(report.Summary);
        Assert.True(report.Passed, report.Describe());
        Assert.True(FuzzOptions.IsCampaign || report.Inputs >= 500, report.Summary);
    }

    private static FuzzOptions Options(long iterations) => new FuzzOptions
    {
        Iterations = iterations,
        Dictionary = JsonVocabulary,
        IsExpected = e => e is ArtifactException,
    }.WithEnvironment();

    /// <summary>A model pull (or dataset pull) into a fresh directory; it stops at the first layer download (the replay
    /// store has no layers) unless the content is refused earlier.</summary>
    private void Pull(ReplayArtifactStore store, bool dataset)
    {
        var target = _temp.Combine(dataset ? "pulled-dataset" : "pulled-model");
        var pull = dataset
            ? store.PullDatasetAsync("datasets/fuzz", Reference, target)
            : (Task)store.PullModelAsync(Repository, Reference, target);
        pull.GetAwaiter().GetResult();
    }

    /// <summary><paramref name="manifest"/> with its config descriptor pointing at <paramref name="config"/>.</summary>
    private static byte[] Around(OciManifest manifest, string configMediaType, byte[] config) =>
        (manifest with { Config = new BlobDescriptor(configMediaType, Sha256Digest.OfBytes(config), config.Length) }).ToJsonBytes();

    /// <summary>A model and a dataset pushed the way the trainer and <c>mlops dataset push</c> do: manifest and config bytes.</summary>
    private async Task<((byte[] Manifest, byte[] Config) Model, (byte[] Manifest, byte[] Config) Dataset)> RealArtifactsAsync()
    {
        var store = new OciLayoutStore(_temp.Combine("seed-store"));
        var onnx = TestData.WriteFile(_temp.Path, "model.onnx", "not really onnx");
        var profile = TestData.WriteFile(_temp.Path, "profile.json", "{}");
        var modelDigest = await store.PushModelAsync(Repository, "1", SampleModel.Config(), onnx, [ArtifactLayer.Profile(profile)]);
        var a = TestData.WriteFile(_temp.Path, "train-images.gz", "images");
        var b = TestData.WriteFile(_temp.Path, "train-labels.gz", "labels");
        var datasetDigest = await store.PushDatasetAsync("datasets/fuzz", "1", "fuzz", [a, b], version: "1");
        return (await ReadAsync(store, Repository, modelDigest), await ReadAsync(store, "datasets/fuzz", datasetDigest));
    }

    private static async Task<(byte[] Manifest, byte[] Config)> ReadAsync(IArtifactStore store, string repository, string digest)
    {
        var content = await store.GetManifestAsync(repository, digest);
        var manifest = OciManifest.Parse(content.Bytes, "seed");
        return (content.Bytes, await store.ReadBlobBytesAsync(repository, manifest.Config, ArtifactPackager.MaxConfigBytes));
    }
}
