using YamlDotNet.RepresentationModel;

namespace MlOps.Pipelines.Specs;

/// <summary>Builds the YAML of a spec (for <c>mlops pipeline show</c> and for sending a file-loaded pipeline,
/// with its job files inlined, to the coordinator).</summary>
internal static class PipelineYamlWriter
{
    public static string Write(PipelineSpec spec)
    {
        var root = new YamlMappingNode { { "name", spec.Name } };
        if (spec.Description.Length > 0)
        {
            root.Add("description", spec.Description);
        }

        if (spec.Parameters.Count > 0)
        {
            var parameters = new YamlMappingNode();
            foreach (var parameter in spec.Parameters)
            {
                parameters.Add(parameter.Name, parameter.Default);
            }

            root.Add("parameters", parameters);
        }

        var steps = new YamlSequenceNode();
        foreach (var step in spec.Steps)
        {
            steps.Add(Step(step));
        }

        root.Add("steps", steps);
        return PipelineYaml.Emit(root);
    }

    private static YamlMappingNode Step(StepSpec step)
    {
        var node = new YamlMappingNode { { "name", step.Name }, { "kind", step.Kind } };
        if (step.Description.Length > 0)
        {
            node.Add("description", step.Description);
        }

        if (step.DependsOn.Count > 0)
        {
            node.Add("depends_on", new YamlSequenceNode(step.DependsOn.Select(d => new YamlScalarNode(d))));
        }

        if (!step.Cache)
        {
            node.Add("cache", "false");
        }

        if (step.Inputs.Count > 0)
        {
            var inputs = new YamlMappingNode();
            foreach (var input in step.Inputs)
            {
                inputs.Add(input.Name, input.Reference);
            }

            node.Add("inputs", inputs);
        }

        if (step.Outputs.Count > 0)
        {
            node.Add("outputs", new YamlSequenceNode(step.Outputs.Select(o => new YamlScalarNode(o))));
        }

        if (step.Params.Count > 0)
        {
            node.Add("params", Value(step.Params));
        }

        return node;
    }

    internal static YamlNode Value(PipelineValue value) => value switch
    {
        ScalarValue s => new YamlScalarNode(s.Text),
        ListValue l => new YamlSequenceNode(l.Items.Select(Value)),
        MapValue m => Map(m),
        _ => throw new ArgumentOutOfRangeException(nameof(value), value.GetType().Name, "unknown value type"),
    };

    private static YamlMappingNode Map(MapValue map)
    {
        var node = new YamlMappingNode();
        foreach (var (key, value) in map.Entries)
        {
            node.Add(key, Value(value));
        }

        return node;
    }
}
