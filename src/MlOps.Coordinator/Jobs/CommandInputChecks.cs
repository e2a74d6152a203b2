using MlOps.Artifacts;
using MlOps.Artifacts.Manifests;
using MlOps.Contracts;
using MlOps.Core.Jobs;
using MlOps.Core.Digests;

namespace MlOps.Coordinator.Jobs;

/// <summary>
/// At submit, each input of a command job must be in the artifact store: its manifest is read by digest (verified), and
/// a <c>dataset</c> or <c>model</c> input must be an artifact of that type, so the agent will not fetch something it cannot
/// unpack. Inputs the spec check already refused (bad name or digest) are not looked up again.
/// </summary>
internal sealed class CommandInputChecks(IArtifactStore store)
{
    public async Task CheckAsync(CommandSpec command, List<FieldError> errors, CancellationToken cancellationToken)
    {
        for (var i = 0; i < command.Inputs.Count; i++)
        {
            var input = command.Inputs[i];
            var path = $"command.inputs[{i}]";
            if (!Sha256Digest.IsValid(input.ManifestDigest) || errors.Any(e => e.Field.StartsWith(path + ".", StringComparison.Ordinal)))
            {
                continue;
            }

            if (await ProblemAsync(input, cancellationToken) is { } problem)
            {
                errors.Add(new FieldError($"{path}.manifest_digest", problem));
            }
        }
    }

    private async Task<string?> ProblemAsync(CommandInput input, CancellationToken cancellationToken)
    {
        var where = $"{input.Repository}@{input.ManifestDigest}";
        try
        {
            var content = await store.GetManifestAsync(input.Repository, input.ManifestDigest, cancellationToken);
            if (input.Kind == "artifact")
            {
                return null;
            }

            var expected = input.Kind == "model" ? OciMediaTypes.ModelArtifact : OciMediaTypes.DatasetArtifact;
            if (content.MediaType != OciMediaTypes.ImageManifest)
            {
                return $"input '{input.Name}' is {where}, a {content.MediaType}, not a {input.Kind} artifact";
            }

            var manifest = OciManifest.Parse(content.Bytes, where);
            var type = manifest.ArtifactType ?? manifest.Config.MediaType;
            return type == expected ? null : $"input '{input.Name}' is {where}, a '{type}' artifact, not a {input.Kind} ('{expected}')";
        }
        catch (ArtifactNotFoundException)
        {
            return $"input '{input.Name}': {where} is not in the artifact store";
        }
        catch (Exception ex) when (ex is ArtifactException or ArgumentException)
        {
            return $"input '{input.Name}': {where} cannot be read: {ex.Message}";
        }
    }
}
