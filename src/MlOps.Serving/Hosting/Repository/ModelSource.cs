namespace MlOps.Serving.Hosting.Repository;

/// <summary>
/// Where one version of a model lies on this node: a model directory as <c>PullModelAsync</c> writes it
/// (<c>model.onnx</c> + <c>config.json</c>, whose <c>lineage.onnxDigest</c> is the expected digest), or a bare
/// ONNX file, which then needs <see cref="ExpectedDigest"/>.
/// </summary>
public sealed record ModelSource(string Version, string Path)
{
    /// <summary><c>sha256:hex</c> the ONNX file must have; when null, taken from the directory's <c>config.json</c>.
    /// When both are present they must agree.</summary>
    public string? ExpectedDigest { get; init; }
}

/// <summary>
/// Finds the versions of a model to serve, for <see cref="ModelRepository.LoadAsync"/>: the agent pulls the model's
/// artifacts into its node-local cache and returns one <see cref="ModelSource"/> per version. Throwing an
/// <see cref="MlOps.Serving.Models.InferenceException"/> passes its kind (e.g. NotFound) to the caller.
/// </summary>
public delegate Task<IReadOnlyList<ModelSource>> ModelLoader(string name, CancellationToken cancellationToken);
