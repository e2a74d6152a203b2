using System.Text.Json.Nodes;
using MlOps.Monitoring.Drift;
using MlOps.Monitoring.Serialization;
using MlOps.Monitoring.Tests.Profiles;

namespace MlOps.Monitoring.Tests.Serialization;

public sealed class ProfileJsonTests
{
    private static readonly byte[] ModelBytes = ProfileJson.Serialize(ProfileTests.Reference(80, 300));

    [Fact]
    public void ModelProfile_RoundTrip_IsExactAndComparesTheSame()
    {
        var restored = ProfileJson.ReadModelProfile(ModelBytes);
        Assert.Equal(ModelBytes, ProfileJson.Serialize(restored));

        var original = ProfileJson.ReadModelProfile(ModelBytes);
        var live = original.CreateLike(9);
        var generator = new SyntheticImages(81, brightness: 0.1f);
        for (var i = 0; i < 250; i++)
        {
            live.Add(generator.Next(), Draw.Output(i % 10));
        }

        var detector = new DriftDetector();
        var liveRestored = ProfileJson.ReadModelProfile(ProfileJson.Serialize(live));
        Assert.Equal(
            detector.Compare(original, live).Features.Select(f => (f.Psi, f.KsPValue)),
            detector.Compare(restored, liveRestored).Features.Select(f => (f.Psi, f.KsPValue)));
        Assert.Equal(detector.Compare(original, live).Images, detector.Compare(restored, liveRestored).Images);
    }

    [Fact]
    public void EmptyLiveProfile_RoundTrips_WithInfiniteMinMax()
    {
        var empty = ProfileJson.ReadModelProfile(ModelBytes).CreateLike(1);
        var restored = ProfileJson.ReadImageProfile(ProfileJson.Serialize(empty.Inputs));
        Assert.Equal(0, restored.Count);
        Assert.Equal(double.PositiveInfinity, restored.Features[0].Moments.Min);
        var predictions = ProfileJson.ReadPredictionProfile(ProfileJson.Serialize(empty.Predictions));
        Assert.Equal(10, predictions.ClassCount);
    }

    public static TheoryData<string, Action<JsonNode>> Corruptions() => new()
    {
        { "format_version", n => n["format_version"] = 2 },
        { "kind", n => n["kind"] = "image" },
        { "predictions", n => n.AsObject().Remove("predictions") },
        { "predictions.counts[3]", n => n["predictions"]!["counts"]![3] = -1 },
        { "inputs.height", n => n["inputs"]!["height"] = 0 },
        { "inputs.pixels.mean", n => n["inputs"]!["pixels"]!["mean"]!.AsArray().RemoveAt(0) },
        { "inputs.features", n => n["inputs"]!["features"]!.AsArray().RemoveAt(7) },
        { "inputs.features[2].name", n => n["inputs"]!["features"]![2]!["name"] = "brightness" },
        { "inputs.features[2].counts", n => n["inputs"]!["features"]![2]!["counts"]!.AsArray().RemoveAt(0) },
        { "inputs.features[0].edges[1]", n => n["inputs"]!["features"]![0]!["edges"]![1] = -1e9 },
        { "inputs.features[4].moments.count", n => n["inputs"]!["features"]![4]!["moments"]!["count"] = 1 },
        { "inputs.sample.rows", n => n["inputs"]!["sample"]!["rows"]!.AsArray().RemoveAt(0) },
        { "inputs.sample.seen", n => n["inputs"]!["sample"]!["seen"] = 5 },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void ReadModelProfile_Corrupt_NamesTheField(string field, Action<JsonNode> corrupt)
    {
        var node = JsonNode.Parse(ModelBytes)!;
        corrupt(node);
        var bytes = System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
        var ex = Assert.Throws<ProfileFormatException>(() => ProfileJson.ReadModelProfile(bytes));
        Assert.Equal(field, ex.Field);
        Assert.Contains(field, ex.Message);
    }

    [Fact]
    public void ReadModelProfile_NotJson_SaysSo()
    {
        var ex = Assert.Throws<ProfileFormatException>(() => ProfileJson.ReadModelProfile("{\"format_version\": 1, "u8));
        Assert.Contains("not valid profile JSON", ex.Message);

        var truncated = ModelBytes.AsSpan(0, ModelBytes.Length / 2).ToArray();
        Assert.Throws<ProfileFormatException>(() => ProfileJson.ReadModelProfile(truncated));
        var wrongType = Assert.Throws<ProfileFormatException>(() => ProfileJson.ReadModelProfile("{\"format_version\": \"one\"}"u8));
        Assert.Equal("$.format_version", wrongType.Field);
    }
}
