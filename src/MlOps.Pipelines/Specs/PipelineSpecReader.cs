using MlOps.Core.Jobs;
using YamlDotNet.RepresentationModel;

namespace MlOps.Pipelines.Specs;

/// <summary>The structural half of <see cref="PipelineYaml.Parse"/>: YAML nodes to a <see cref="PipelineSpec"/>,
/// recording every unknown key and wrong shape.</summary>
internal static class PipelineSpecReader
{
    public static PipelineSpec Read(YamlNodeReader reader, YamlMappingNode root, string? baseDirectory)
    {
        var spec = new PipelineSpec();
        reader.Map(root, "", new Dictionary<string, Action<YamlNode, string>>
        {
            ["name"] = (n, p) => spec = spec with { Name = reader.String(n, p) },
            ["description"] = (n, p) => spec = spec with { Description = reader.String(n, p) },
            ["parameters"] = (n, p) => spec = spec with { Parameters = ReadParameters(reader, n, p) },
            ["steps"] = (n, p) =>
            {
                var steps = new List<StepSpec>();
                reader.Sequence(n, p, (item, ip) => steps.Add(ReadStep(reader, item, ip, baseDirectory)));
                spec = spec with { Steps = steps };
            },
        });
        return spec;
    }

    private static List<PipelineParameter> ReadParameters(YamlNodeReader reader, YamlNode node, string path)
    {
        var parameters = new List<PipelineParameter>();
        reader.Entries(node, path, (key, value, childPath, _) => parameters.Add(new PipelineParameter(key, reader.String(value, childPath))));
        return parameters;
    }

    private static StepSpec ReadStep(YamlNodeReader reader, YamlNode node, string path, string? baseDirectory)
    {
        var step = new StepSpec();
        YamlNode? paramsNode = null;
        string? paramsPath = null;
        reader.Map(node, path, new Dictionary<string, Action<YamlNode, string>>
        {
            ["name"] = (n, p) => step = step with { Name = reader.String(n, p) },
            ["kind"] = (n, p) => step = step with { Kind = reader.String(n, p) },
            ["description"] = (n, p) => step = step with { Description = reader.String(n, p) },
            ["inputs"] = (n, p) =>
            {
                var inputs = new List<StepInputSpec>();
                reader.Entries(n, p, (key, value, childPath, _) => inputs.Add(new StepInputSpec(key, reader.String(value, childPath))));
                step = step with { Inputs = inputs };
            },
            ["outputs"] = (n, p) =>
            {
                var outputs = new List<string>();
                reader.Sequence(n, p, (item, ip) => outputs.Add(reader.String(item, ip)));
                step = step with { Outputs = outputs };
            },
            ["params"] = (n, p) => (paramsNode, paramsPath) = (n, p),
            ["depends_on"] = (n, p) =>
            {
                var names = new List<string>();
                reader.Sequence(n, p, (item, ip) => names.Add(reader.String(item, ip)));
                step = step with { DependsOn = names };
            },
            ["cache"] = (n, p) => step = step with { Cache = reader.Boolean(n, p, fallback: true) },
        });

        if (paramsNode is not null && paramsPath is not null)
        {
            if (paramsNode is YamlMappingNode mapping)
            {
                if (step.Kind == "train" && baseDirectory is not null)
                {
                    InlineJobFile(reader, mapping, paramsPath, baseDirectory);
                }

                step = step with { Params = (MapValue)reader.Value(mapping, paramsPath) };
            }
            else
            {
                reader.Error(paramsNode, paramsPath, "must be a mapping of keys");
            }
        }

        return step;
    }

    /// <summary>Replaces <c>job: PATH</c> by the file's content so the pipeline is self-contained.</summary>
    private static void InlineJobFile(YamlNodeReader reader, YamlMappingNode parameters, string paramsPath, string baseDirectory)
    {
        var key = new YamlScalarNode("job");
        if (!parameters.Children.TryGetValue(key, out var value) || value is not YamlScalarNode { Value: { Length: > 0 } relative })
        {
            return;
        }

        var path = $"{paramsPath}.job";
        var file = new FileInfo(Path.Combine(baseDirectory, relative));
        if (!file.Exists)
        {
            reader.Error(value, path, $"job file '{relative}' not found (looked in {baseDirectory})");
            return;
        }

        if (file.Length > JobSpecYaml.MaxBytes)
        {
            reader.Error(value, path, $"job file '{relative}' is {file.Length} bytes; a job spec may be at most {JobSpecYaml.MaxBytes} bytes");
            return;
        }

        if (!SafeYaml.TryLoad(File.ReadAllText(file.FullName), out var job, out var error))
        {
            reader.Error(value, path, $"job file '{relative}': {error}");
            return;
        }

        parameters.Children[key] = job;
    }
}
