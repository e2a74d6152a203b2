using System.Text;
using MlOps.Core.Digests;
using MlOps.Pipelines.Caching;
using MlOps.Pipelines.Planning;
using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Tests.Caching;

public sealed class StepCacheKeyTests
{
    private static readonly string DigestA = Sha256Digest.OfBytes("a"u8);
    private static readonly string DigestB = Sha256Digest.OfBytes("b"u8);

    private static readonly MapValue BaseParams = new(
    [
        new("seed", new ScalarValue("42")),
        new("transforms", ListValue.Of("flip", "crop")),
        new("split", MapValue.Of(("train", "0.9"), ("validation", "0.1"))),
    ]);

    private sealed record Case(StepKind Kind, MapValue Params, Dictionary<string, string> Inputs, string[] Outputs, string Code)
    {
        public string Key() => StepCacheKey.Compute(Kind, Params, Inputs, Outputs, Code);
    }

    private static Case Base() => new(StepKind.Prepare, BaseParams, new() { ["data"] = DigestA }, ["dataset"], "agent/1.0");

    public static TheoryData<string> Changes => new()
    {
        "kind", "scalar", "list item", "list order", "nested map value", "added key", "removed key", "key renamed",
        "input digest", "input renamed", "input added", "output renamed", "output added", "code version",
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Compute_AnyChange_ChangesTheKey(string change)
    {
        var original = Base();
        var changed = change switch
        {
            "kind" => original with { Kind = StepKind.Validate },
            "scalar" => original with { Params = Replace("seed", new ScalarValue("43")) },
            "list item" => original with { Params = Replace("transforms", ListValue.Of("flip", "rotate")) },
            "list order" => original with { Params = Replace("transforms", ListValue.Of("crop", "flip")) },
            "nested map value" => original with { Params = Replace("split", MapValue.Of(("train", "0.8"), ("validation", "0.1"))) },
            "added key" => original with { Params = new MapValue([.. BaseParams.Entries, new("normalize", new ScalarValue("true"))]) },
            "removed key" => original with { Params = new MapValue([.. BaseParams.Entries.Skip(1)]) },
            "key renamed" => original with { Params = new MapValue([new("sead", new ScalarValue("42")), .. BaseParams.Entries.Skip(1)]) },
            "input digest" => original with { Inputs = new() { ["data"] = DigestB } },
            "input renamed" => original with { Inputs = new() { ["train"] = DigestA } },
            "input added" => original with { Inputs = new() { ["data"] = DigestA, ["labels"] = DigestB } },
            "output renamed" => original with { Outputs = ["prepared"] },
            "output added" => original with { Outputs = ["dataset", "stats"] },
            "code version" => original with { Code = "agent/1.1" },
            _ => throw new ArgumentOutOfRangeException(nameof(change)),
        };

        Assert.NotEqual(original.Key(), changed.Key());
    }

    [Fact]
    public void Compute_KeyAndOutputOrder_DoNotMatter()
    {
        var original = Base() with { Inputs = new() { ["data"] = DigestA, ["labels"] = DigestB }, Outputs = ["a", "b"] };
        var reordered = original with
        {
            Params = new MapValue([.. BaseParams.Entries.Reverse()]),
            Inputs = new() { ["labels"] = DigestB, ["data"] = DigestA },
            Outputs = ["b", "a"],
        };

        Assert.Equal(original.Key(), reordered.Key());
    }

    [Fact]
    public void Compute_SameTextDifferentStructure_Differs()
    {
        // Length prefixes keep ["ab"] and ["a", "b"], or a scalar and a one-item list, apart.
        var one = Base() with { Params = new MapValue([new("x", ListValue.Of("ab"))]) };
        var two = Base() with { Params = new MapValue([new("x", ListValue.Of("a", "b"))]) };
        var scalar = Base() with { Params = new MapValue([new("x", new ScalarValue("ab"))]) };
        var keyInValue = Base() with { Params = new MapValue([new("x", MapValue.Of(("a", "b")))]) };

        Assert.Equal(4, new[] { one.Key(), two.Key(), scalar.Key(), keyInValue.Key() }.Distinct().Count());
    }

    [Fact]
    public void Encode_DocumentedFormat()
    {
        var bytes = StepCacheKey.Encode(
            StepKind.Command,
            new MapValue([new("command", ListValue.Of("python3", "é.py")), new("env", MapValue.Of(("B", "2"), ("A", "1")))]),
            new Dictionary<string, string> { ["data"] = DigestA },
            ["out"],
            "command v1");

        Assert.Equal(
            "mlops.pipelines.step-cache/v1\n" +
            "kind=7:command,\n" +
            "code=10:command v1,\n" +
            "params=m2:7:command,l2:s7:python3,s5:é.py,3:env,m2:1:A,s1:1,1:B,s1:2,\n" +
            $"inputs=1:4:data,71:{DigestA},\n" +
            "outputs=1:3:out,\n",
            Encoding.UTF8.GetString(bytes));
        Assert.Equal(Sha256Digest.OfBytes(bytes), StepCacheKey.Compute(StepKind.Command, new MapValue([new("command", ListValue.Of("python3", "é.py")), new("env", MapValue.Of(("B", "2"), ("A", "1")))]), new Dictionary<string, string> { ["data"] = DigestA }, ["out"], "command v1"));
    }

    [Fact]
    public void Compute_InvalidInputDigest_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => StepCacheKey.Compute(StepKind.Train, MapValue.Empty, new Dictionary<string, string> { ["data"] = "sha256:xyz" }, [], "v"));

        Assert.Contains("input 'data' has no valid digest", ex.Message);
    }

    [Fact]
    public void CommandCodeVersion_CommandOrCodeDigestChange_Changes()
    {
        var parameters = new MapValue([new("command", ListValue.Of("python3", "a.py"))]);
        var other = new MapValue([new("command", ListValue.Of("python3", "b.py"))]);

        var versions = new[]
        {
            StepCacheKey.CommandCodeVersion(parameters, null),
            StepCacheKey.CommandCodeVersion(parameters, DigestA),
            StepCacheKey.CommandCodeVersion(parameters, DigestB),
            StepCacheKey.CommandCodeVersion(other, DigestA),
        };

        Assert.Equal(4, versions.Distinct().Count());
        Assert.Equal($"command l2:s7:python3,s4:a.py, code={DigestA}", versions[1]);
    }

    [Fact]
    public void Compute_YamlKeyOrderQuotingWhitespaceAndComments_DoNotMatter()
    {
        var block = """
            name: p
            parameters:
              seed: 7
            steps:
              - name: prep
                kind: prepare
                inputs:
                  data: dataset:fashion-mnist@3
                outputs: [dataset]
                params:
                  dataset: fashion-shifted
                  seed: ${parameters.seed}
                  brightness: 0.1
                  invert: true
            """;
        var flow = """
            # same pipeline, other layout
            steps:
            - outputs:   [ dataset ]
              params: {invert: true, brightness: "0.1", seed: "${parameters.seed}", dataset: 'fashion-shifted'}   # trailing comment
              inputs: {data: "dataset:fashion-mnist@3"}
              kind: prepare
              name: prep
            parameters: {seed: "7"}
            name: p
            """;

        var a = PipelinePlanner.Plan(PipelineYaml.Parse(block))["prep"];
        var b = PipelinePlanner.Plan(PipelineYaml.Parse(flow))["prep"];

        var inputs = new Dictionary<string, string> { ["data"] = DigestA };
        Assert.Equal(
            StepCacheKey.Compute(a.Kind, a.Params, inputs, a.Outputs, "v1"),
            StepCacheKey.Compute(b.Kind, b.Params, inputs, b.Outputs, "v1"));
    }

    private static MapValue Replace(string key, PipelineValue value) =>
        new([.. BaseParams.Entries.Select(e => e.Key == key ? new KeyValuePair<string, PipelineValue>(key, value) : e)]);
}
