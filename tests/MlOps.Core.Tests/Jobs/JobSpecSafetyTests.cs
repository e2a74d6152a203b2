using MlOps.Contracts;
using MlOps.Core.Jobs;
using MlOps.Testing.Fuzzing;

namespace MlOps.Core.Tests.Jobs;

/// <summary>
/// Safe loading of job specs and the crashes fuzzing found (docs/security.md, "Safe inputs"): every hostile document is a
/// <see cref="SpecValidationException"/> naming the problem, never a stack overflow, an exponential walk, an
/// <see cref="ArgumentException"/> from the YAML library or a division by zero in the shape walk.
/// </summary>
public sealed class JobSpecSafetyTests
{
    private const string Training = """
        name: shapes
        dataset: fashion-mnist
        model:
          input_shape: INPUT
          layers: LAYERS
        hyper_parameters: {optimizer: sgd, learning_rate: 0.1, batch_size: 1, epochs: 1}
        """;

    [Fact]
    public void Parse_DeeplyNestedList_RefusedBeforeTheRecursiveLoader()
    {
        // 200,000 '[' overflowed the stack of YamlDotNet's node loader: the process died, no catch could help.
        var error = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse("name: " + FuzzInputs.Nested(200_000)));

        var field = Assert.Single(error.Errors);
        Assert.Equal("(yaml)", field.Field);
        Assert.Contains($"nested more than {YamlSafety.MaxDepth} levels deep", field.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AliasBomb_RefusedNamingTheAlias()
    {
        var error = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse(FuzzInputs.YamlAliasBomb(use: "? *l8\n: 1\n")));

        Assert.Contains("aliases (*l0) are not supported", Assert.Single(error.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RecursiveAlias_Refused()
    {
        var error = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse("name: &a [*a]\n"));

        Assert.Contains("aliases", Assert.Single(error.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MoreValuesThanTheLimit_Refused()
    {
        var yaml = "name: [" + string.Join(",", Enumerable.Repeat("1", YamlSafety.MaxNodes + 1)) + "]";

        var error = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse(yaml));

        Assert.Contains($"more than {YamlSafety.MaxNodes} values", Assert.Single(error.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DocumentOverMaxBytes_Refused()
    {
        var yaml = "name: x\n#" + new string('x', JobSpecYaml.MaxBytes);

        var error = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse(yaml));

        Assert.Contains($"at most {JobSpecYaml.MaxBytes} bytes", Assert.Single(error.Errors).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("  e: 8\n  s:\n  2: !!]")] // a tag that is not a URI: YamlDotNet threw ArgumentException
    [InlineData(": v\n:\n i:\n s:\n    - c\n    - : 0")] // an event its loader does not expect: ArgumentException too
    public void Parse_InputsThatMadeYamlDotNetThrowArgumentException_SpecError(string yaml)
    {
        var error = Assert.Throws<SpecValidationException>(() => JobSpecYaml.Parse(yaml));

        Assert.Equal("(yaml)", error.Errors[0].Field);
    }

    [Fact]
    public void Parse_TypeTags_NeverConstructed()
    {
        // Tags are read as plain text: nothing here maps a tag to a .NET type.
        var spec = JobSpecYaml.Parse("name: !<tag:yaml.org,2002:System.IO.File> x\nowner: !!python/object:os.system alice\n");

        Assert.Equal(("x", "alice"), (spec.Name, spec.Owner));
    }

    [Fact]
    public void Validate_ReshapeWhoseSizesOverflowALong_FieldErrorNotDivideByZero()
    {
        // [2^32, 2^32] overflowed to 0 and the inferred size divided by it.
        var spec = JobSpecYaml.Parse(Training.Replace("INPUT", "[4294967296, 4294967296]").Replace("LAYERS", "[{reshape: [-1, 4294967296, 4294967296]}]"));

        var errors = JobSpecValidator.Validate(spec);

        Assert.Contains(errors, e => e.Field == "model.input_shape" && e.Message.Contains("values per sample", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ReshapeSizesLargerThanTheInput_FieldError()
    {
        var spec = JobSpecYaml.Parse(Training.Replace("INPUT", "[1, 28, 28]").Replace("LAYERS", "[{reshape: [-1, 4294967296, 4294967296]}]"));

        var errors = JobSpecValidator.Validate(spec);

        Assert.Contains(errors, e => e.Field == "model.layers[0].reshape.shape" && e.Message.Contains("cannot hold the 784 values", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_LayerOutputOverTheSampleLimit_NamesTheLayer()
    {
        var spec = JobSpecYaml.Parse(Training.Replace("INPUT", "[1, 4096, 4096]").Replace("LAYERS", "[{conv2d: {out_channels: 1048576, kernel_size: 1}}, flatten, {linear: 10}]"));

        var errors = JobSpecValidator.Validate(spec);

        var error = Assert.Single(errors);
        Assert.Equal("model.layers[0]", error.Field);
        Assert.Contains($"more than {JobSpecValidator.MaxSampleElements} values per sample", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputShape_FlattenOfAnOverflowingInput_NullNotAWrappedSize()
    {
        var model = new ModelSpec { InputShape = { 4294967296, 4294967296, 3 }, Layers = { new Layer { Flatten = new FlattenLayer() } } };

        Assert.Null(ModelShapes.OutputShape(model));
    }
}
