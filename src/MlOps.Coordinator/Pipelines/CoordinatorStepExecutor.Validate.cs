using System.Text.Json;
using MlOps.Artifacts;
using MlOps.Artifacts.Manifests;
using MlOps.Contracts;
using MlOps.Coordinator.Datasets;
using MlOps.Core.Datasets;
using MlOps.Pipelines.Running;

namespace MlOps.Coordinator.Pipelines;

internal sealed partial class CoordinatorStepExecutor
{
    /// <summary>The artifact type of a validate step's report; its config is the report (JSON), it has no layers.</summary>
    public const string ReportArtifactType = "application/vnd.mlops.pipeline.report.v1";

    public const string ReportMediaType = "application/vnd.mlops.pipeline.report.v1+json";

    /// <summary>The checks a validate step's <c>checks</c> may name.</summary>
    public static readonly IReadOnlyList<string> ValidateChecks = ["labels-in-range", "no-duplicate-files", "non-empty-splits"];

    /// <summary>
    /// Checks the <c>data</c> dataset version with the checks a job submit runs (format, files, counts, labels) plus
    /// the step's <c>min_examples</c>, <c>num_classes</c> and named checks; every problem is listed in the failure.
    /// Passing, it pushes a JSON report to <c>pipelines/PIPELINE/STEP</c> (the same dataset and params give the same
    /// bytes, so the same digest) and returns it.
    /// </summary>
    private async Task<ResolvedArtifact> ValidateAsync(StepExecution execution, CancellationToken cancellationToken)
    {
        var (name, number, data) = Versioned(execution, "data", "dataset");
        var version = await registry.GetDatasetVersionAsync(name, number, cancellationToken);
        if (version is null || version.Digest != data.Digest)
        {
            throw new PipelineStepException($"{data.Reference} is not a registered dataset version with digest {data.Digest}");
        }

        var problems = new List<string>();
        var format = Text(execution, "format");
        if (format is not null && format != version.Format)
        {
            problems.Add($"format is {version.Format}, expected {format}");
        }

        DatasetDescriptor? descriptor = null;
        try
        {
            descriptor = await inspector.InspectAsync(version, cancellationToken);
        }
        catch (DatasetFileException ex)
        {
            problems.Add(ex.Message);
        }
        catch (ArtifactException ex)
        {
            throw new PipelineStepException($"the files of {data.Reference} could not be read: {ex.Message}");
        }

        var checks = TextList(execution, "checks");
        if (descriptor is not null)
        {
            var examples = (long)descriptor.TrainCount + descriptor.TestCount;
            if (Integer(execution, "min_examples") is { } min && examples < min)
            {
                problems.Add($"{examples} examples ({descriptor.TrainCount} train, {descriptor.TestCount} test), fewer than min_examples {min}");
            }

            if (Integer(execution, "num_classes") is { } classes && descriptor.Classes != classes)
            {
                problems.Add($"{descriptor.Classes} classes, expected num_classes {classes}");
            }

            problems.AddRange(checks.Select(check => Check(check, version, descriptor)).OfType<string>());
        }

        if (problems.Count > 0)
        {
            throw new PipelineStepException($"{data.Reference} failed validation ({problems.Count} {(problems.Count == 1 ? "problem" : "problems")}): " +
                string.Join("; ", problems));
        }

        var report = Report(version, descriptor!, checks);
        var repository = $"pipelines/{execution.PipelineName}/{execution.Step.Name}";
        var config = await store.PushBytesAsync(repository, report, ReportMediaType, cancellationToken);
        var manifest = new OciManifest(config with { MediaType = ReportMediaType }, []) { ArtifactType = ReportArtifactType };
        var digest = await store.PushManifestAsync(repository, manifest.ToJsonBytes(), OciMediaTypes.ImageManifest, CoordinatorArtifactResolver.DefaultTag, cancellationToken);
        Note(execution, $"{data.Reference} passed; report {digest}");
        return new ResolvedArtifact($"artifact:{repository}@{digest}", digest);
    }

    /// <summary>Null when <paramref name="check"/> passes, else the problem.</summary>
    private static string? Check(string check, DatasetVersion version, DatasetDescriptor descriptor) => check switch
    {
        // Loading the labels already refuses one at or above the class count (the inspector ran it).
        "labels-in-range" => null,
        "no-duplicate-files" => version.Files.GroupBy(f => f.Digest).FirstOrDefault(g => g.Count() > 1) is { } same
            ? $"files {string.Join(" and ", same.Select(f => f.Name))} have the same content"
            : null,
        "non-empty-splits" => descriptor.TrainCount == 0 || descriptor.TestCount == 0
            ? $"a split is empty ({descriptor.TrainCount} train, {descriptor.TestCount} test)"
            : null,
        _ => $"unknown check '{check}'; known: {string.Join(", ", ValidateChecks)}",
    };

    private static byte[] Report(DatasetVersion version, DatasetDescriptor descriptor, IReadOnlyList<string> checks)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("dataset", $"{version.Name}@{version.Version}");
            writer.WriteString("digest", version.Digest);
            writer.WriteString("format", version.Format);
            writer.WriteNumber("train_count", descriptor.TrainCount);
            writer.WriteNumber("test_count", descriptor.TestCount);
            writer.WriteNumber("classes", descriptor.Classes);
            writer.WriteStartArray("checks_passed");
            foreach (var check in checks)
            {
                writer.WriteStringValue(check);
            }

            writer.WriteEndArray();
            writer.WriteBoolean("passed", true);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
