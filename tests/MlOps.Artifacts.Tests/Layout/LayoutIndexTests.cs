using System.Text;
using MlOps.Artifacts.Layout;

namespace MlOps.Artifacts.Tests.Layout;

/// <summary>Reading index.json: every damaged file is an <see cref="ArtifactCorruptException"/> at load, never an
/// exception later when an entry is first touched (the inputs below are fuzzing's reproducers).</summary>
public sealed class LayoutIndexTests
{
    [Theory]
    [InlineData("{\"manifests\":[{\"annotations\":{\"org.opencontainers.image.ref.name\":\"\\ud800\"}}]}")] // lone surrogate in a tag
    [InlineData("{\"manifests\":[{\"digest\":\"\",\"digest\":\"\"}]}")] // duplicate key
    [InlineData("{\"i\":5,\"\":\"\\ud800\",\"manifests\":[]}")] // lone surrogate elsewhere: could not be written back
    [InlineData("{\"manifests\":[{\"digest\":5}]}")]
    [InlineData("{\"manifests\":[{\"annotations\":[]}]}")]
    [InlineData("{\"manifests\":[{\"size\":\"big\"}]}")]
    [InlineData("{\"manifests\":[7]}")]
    [InlineData("{\"manifests\":{}}")]
    [InlineData("[]")]
    public void Parse_DamagedIndex_CorruptNamingTheFile(string json)
    {
        var error = Assert.Throws<ArtifactCorruptException>(() => LayoutIndex.Parse(Encoding.UTF8.GetBytes(json), "repo/index.json"));

        Assert.StartsWith("repo/index.json: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidUtf8InAName_Corrupt()
    {
        // {"":3,"\xff":[]} plus a manifests array: the name is only decoded when first touched.
        byte[] json = [.. "{\"manifests\":[],\""u8, 0xFF, .. "\":1}"u8];

        Assert.Throws<ArtifactCorruptException>(() => LayoutIndex.Parse(json, "repo/index.json"));
    }

    [Fact]
    public void Parse_ValidIndexWithUnknownProperties_KeptAndReadable()
    {
        var json = "{\"schemaVersion\":2,\"x-extra\":{\"a\":[1]},\"manifests\":[{\"mediaType\":\"m\",\"digest\":\"sha256:" + new string('a', 64) +
            "\",\"size\":3,\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\",\"other\":\"x\"}}]}";

        var index = LayoutIndex.Parse(Encoding.UTF8.GetBytes(json), "repo/index.json");

        Assert.Equal(["v1"], index.Tags);
        Assert.Contains("x-extra", Encoding.UTF8.GetString(index.ToJsonBytes()), StringComparison.Ordinal);
    }
}
