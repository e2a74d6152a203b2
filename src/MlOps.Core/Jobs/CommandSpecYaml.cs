using MlOps.Contracts;
using YamlDotNet.RepresentationModel;

namespace MlOps.Core.Jobs;

/// <summary>
/// The <c>command:</c> mapping of a job spec (a command job, <see cref="CommandSpec"/>):
/// <code>
/// command:
///   argv: [/usr/bin/python3, prep.py, "${inputs.data}", "${outputs.clean}"]
///   env: {LANG: C.UTF-8}
///   inputs:
///     - {name: data, kind: dataset, repository: datasets/fashion-mnist, manifest_digest: "sha256:…"}
///   outputs: [clean]
///   output_repository: pipelines/nightly/prepare
///   timeout_seconds: 600
/// </code>
/// or <c>builtin: prepare</c> / <c>builtin: evaluate</c> with a <c>params</c> mapping instead of argv.
/// </summary>
internal static class CommandSpecYaml
{
    public static CommandSpec Read(JobSpecYaml.Reader reader, YamlNode node, string path)
    {
        var command = new CommandSpec();
        reader.Map(node, path, new Dictionary<string, Action<YamlNode, string>>
        {
            ["argv"] = (n, p) => reader.Sequence(n, p, (item, ip) => command.Argv.Add(reader.String(item, ip))),
            ["env"] = (n, p) => ReadTextMap(reader, n, p, command.Env),
            ["inputs"] = (n, p) => reader.Sequence(n, p, (item, ip) => command.Inputs.Add(ReadInput(reader, item, ip))),
            ["outputs"] = (n, p) => reader.Sequence(n, p, (item, ip) => command.Outputs.Add(reader.String(item, ip))),
            ["output_repository"] = (n, p) => command.OutputRepository = reader.String(n, p),
            ["timeout_seconds"] = (n, p) => command.TimeoutSeconds = reader.Int32(n, p),
            ["builtin"] = (n, p) => command.Builtin = reader.String(n, p),
            ["params"] = (n, p) => ReadTextMap(reader, n, p, command.Params),
        });
        return command;
    }

    private static CommandInput ReadInput(JobSpecYaml.Reader reader, YamlNode node, string path)
    {
        var input = new CommandInput();
        reader.Map(node, path, new Dictionary<string, Action<YamlNode, string>>
        {
            ["name"] = (n, p) => input.Name = reader.String(n, p),
            ["kind"] = (n, p) => input.Kind = reader.String(n, p),
            ["repository"] = (n, p) => input.Repository = reader.String(n, p),
            ["manifest_digest"] = (n, p) => input.ManifestDigest = reader.String(n, p),
        });
        return input;
    }

    /// <summary>A mapping of scalar values, each kept as its text (<c>seed: 3</c> is "3", <c>invert: true</c> is "true").</summary>
    private static void ReadTextMap(JobSpecYaml.Reader reader, YamlNode node, string path, Google.Protobuf.Collections.MapField<string, string> target)
    {
        if (node is not YamlMappingNode mapping)
        {
            reader.Error(node, path, "must be a mapping of keys to values");
            return;
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            var childPath = $"{path}.{key}";
            if (key.Length == 0)
            {
                reader.Error(keyNode, path, "has an empty key");
            }
            else if (target.ContainsKey(key))
            {
                reader.Error(keyNode, childPath, "appears twice");
            }
            else
            {
                target[key] = reader.String(valueNode, childPath);
            }
        }
    }
}
