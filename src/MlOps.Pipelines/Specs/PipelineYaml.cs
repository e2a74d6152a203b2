using System.Text;
using MlOps.Core.Jobs;
using YamlDotNet.RepresentationModel;

namespace MlOps.Pipelines.Specs;

/// <summary>
/// Reads a pipeline written in YAML (format: the project's README) into a <see cref="PipelineSpec"/> and checks
/// it. Every problem is collected before throwing one <see cref="PipelineSpecException"/>: structural ones
/// (unknown keys, wrong shapes, with their line) and semantic ones (unknown steps, cycles, ...) from
/// <see cref="PipelineValidator"/>, checked against the parameters' defaults. Loading is safe: no aliases, no tags,
/// bounded size and depth, and nothing but text, lists and mappings is ever constructed.
/// </summary>
public static class PipelineYaml
{
    /// <summary>Largest pipeline document accepted (UTF-8 bytes), checked before parsing.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>
    /// Reads a pipeline file. A train step's <c>job: PATH</c> names a job spec file, relative to the pipeline
    /// file's directory; it is read (at most <see cref="JobSpecYaml.MaxBytes"/>) and put inline, so the spec that
    /// comes back (and <see cref="ToYaml"/> of it) is self-contained and the job's content is part of the step's
    /// cache key.
    /// </summary>
    public static PipelineSpec LoadFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"pipeline file not found: {path}", path);
        }

        if (info.Length > MaxBytes)
        {
            throw new PipelineSpecException([new FieldError("(file)", $"{path} is {info.Length} bytes; a pipeline may be at most {MaxBytes} bytes")]);
        }

        return Parse(File.ReadAllText(path), info.DirectoryName);
    }

    /// <summary>Parses and validates <paramref name="yaml"/>. With <paramref name="baseDirectory"/>, train steps'
    /// job file paths are read relative to it and inlined; without, a job must be written inline.</summary>
    public static PipelineSpec Parse(string yaml, string? baseDirectory = null)
    {
        var size = Encoding.UTF8.GetByteCount(yaml);
        if (size > MaxBytes)
        {
            throw new PipelineSpecException([new FieldError("(yaml)", $"the document is {size} bytes; a pipeline may be at most {MaxBytes} bytes")]);
        }

        if (!SafeYaml.TryLoad(yaml, out var root, out var loadError))
        {
            throw new PipelineSpecException([new FieldError("(yaml)", loadError)]);
        }

        var structural = new List<FieldError>();
        var spec = PipelineSpecReader.Read(new YamlNodeReader(structural), root, baseDirectory);

        // Semantic checks run on what could be read; a field that already has a structural error is not reported
        // again (a step whose kind is a list would otherwise also be "kind is required").
        var errors = new List<FieldError>(structural);
        errors.AddRange(PipelineValidator.Validate(spec).Where(e => !structural.Any(s => Covers(s.Field, e.Field))));
        if (errors.Count > 0)
        {
            throw new PipelineSpecException(errors);
        }

        return spec;
    }

    /// <summary>Writes <paramref name="spec"/> as YAML that <see cref="Parse"/> reads back to the same spec
    /// (the order of keys inside params is kept; comments and formatting are not).</summary>
    public static string ToYaml(PipelineSpec spec) => PipelineYamlWriter.Write(spec);

    private static bool Covers(string structural, string semantic) =>
        semantic == structural ||
        (semantic.StartsWith(structural, StringComparison.Ordinal) &&
         semantic.Length > structural.Length && semantic[structural.Length] is '.' or '[');

    /// <summary>Turns a YAML mapping node into the text of a document (for the job spec parser).</summary>
    internal static string Emit(YamlNode root)
    {
        var stream = new YamlStream(new YamlDocument(root));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }
}
