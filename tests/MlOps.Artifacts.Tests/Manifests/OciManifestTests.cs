using System.Text;
using MlOps.Artifacts.Manifests;

namespace MlOps.Artifacts.Tests.Manifests;

public sealed class OciManifestTests
{
    private static readonly string ConfigDigest = "sha256:" + new string('c', 64);
    private static readonly string LayerDigest = "sha256:" + new string('1', 64);

    [Fact]
    public void ToJsonBytes_Manifest_FixedOrderSortedAnnotationsNoWhitespace()
    {
        var manifest = new OciManifest(
            new BlobDescriptor("application/vnd.test.config.v1+json", ConfigDigest, 2),
            [new BlobDescriptor("application/vnd.onnx.model", LayerDigest, 10) { Annotations = new Dictionary<string, string> { ["org.opencontainers.image.title"] = "model.onnx" } }])
        {
            ArtifactType = "application/vnd.mlops.model.v1",
            Annotations = new Dictionary<string, string> { ["z"] = "last", ["a"] = "first" },
        };

        var json = Encoding.UTF8.GetString(manifest.ToJsonBytes());

        Assert.Equal(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\"application/vnd.mlops.model.v1\"," +
            $"\"config\":{{\"mediaType\":\"application/vnd.test.config.v1+json\",\"digest\":\"{ConfigDigest}\",\"size\":2}}," +
            $"\"layers\":[{{\"mediaType\":\"application/vnd.onnx.model\",\"digest\":\"{LayerDigest}\",\"size\":10," +
            "\"annotations\":{\"org.opencontainers.image.title\":\"model.onnx\"}}]," +
            "\"annotations\":{\"a\":\"first\",\"z\":\"last\"}}",
            json);
    }

    [Fact]
    public void ToJsonBytes_AnnotationsInsertedInOtherOrder_SameBytes()
    {
        var config = new BlobDescriptor("application/json", ConfigDigest, 2);
        var one = new OciManifest(config, []) { Annotations = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" } };
        var two = new OciManifest(config, []) { Annotations = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } };

        Assert.Equal(one.ToJsonBytes(), two.ToJsonBytes());
    }

    [Fact]
    public void Parse_OwnOutput_RoundTrips()
    {
        var manifest = new OciManifest(new BlobDescriptor("application/json", ConfigDigest, 2), [new BlobDescriptor("x/y", LayerDigest, 3)])
        {
            ArtifactType = "application/vnd.test",
            Annotations = new Dictionary<string, string> { ["k"] = "v" },
        };

        var parsed = OciManifest.Parse(manifest.ToJsonBytes(), "test");

        Assert.Equal(manifest.ToJsonBytes(), parsed.ToJsonBytes());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"schemaVersion\":1}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"config\":{},\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha256:bad\",\"size\":1},\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"size\":1},\"layers\":[]}")]
    public void Parse_Malformed_ThrowsInvalid(string json) =>
        Assert.Throws<ArtifactInvalidException>(() => OciManifest.Parse(Encoding.UTF8.GetBytes(json), "test"));
}
