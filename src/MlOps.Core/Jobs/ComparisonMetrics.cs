namespace MlOps.Core.Jobs;

/// <summary>
/// Job metrics of the paired comparison a job with a <c>baseline</c> runs after training: the trained model (the
/// candidate) and the baseline version, both through ONNX Runtime, on the same held-out test images.
/// </summary>
public static class ComparisonMetrics
{
    /// <summary>Test images both models were run on.</summary>
    public const string Samples = "compare_samples";

    public const string CandidateAccuracy = "compare_candidate_accuracy";

    public const string BaselineAccuracy = "compare_baseline_accuracy";

    /// <summary>Images only the candidate classified correctly (a discordant pair).</summary>
    public const string CandidateOnlyCorrect = "compare_candidate_only_correct";

    /// <summary>Images only the baseline classified correctly.</summary>
    public const string BaselineOnlyCorrect = "compare_baseline_only_correct";

    /// <summary>Two-sided exact McNemar p-value over the discordant pairs.</summary>
    public const string McNemarPValue = "compare_mcnemar_p";

    /// <summary>The baseline's registered version number.</summary>
    public const string BaselineVersion = "compare_baseline_version";
}
