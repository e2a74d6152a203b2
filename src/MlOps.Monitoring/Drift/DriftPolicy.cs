namespace MlOps.Monitoring.Drift;

/// <summary>
/// Thresholds of <see cref="DriftDetector"/>. The three significance levels are per family of tests; by the
/// union (Bonferroni) bound the chance that a window with no drift raises any alarm is at most
/// <see cref="FamilyWiseAlpha"/> = KsAlpha + MmdAlpha + PredictionAlpha (0.03 with the defaults).
/// </summary>
public sealed record DriftPolicy
{
    /// <summary>PSI a feature must also reach to count as drifted (an effect-size floor, so that huge windows do not
    /// alarm on shifts too small to matter). Default 0.1, the customary "moderate shift" line; 0 disables the floor.</summary>
    public double PsiThreshold { get; init; } = PopulationStabilityIndex.ModerateShift;

    /// <summary>Family-wise level of the per-feature binned KS tests, kept by Holm's correction across the
    /// features. Default 0.01.</summary>
    public double KsAlpha { get; init; } = 0.01;

    /// <summary>Level of the MMD permutation test on the summary vectors. Default 0.01.</summary>
    public double MmdAlpha { get; init; } = 0.01;

    /// <summary>Level of the chi-square test on the predicted-class counts. Default 0.01.</summary>
    public double PredictionAlpha { get; init; } = 0.01;

    /// <summary>Fewest live images (or predictions) for a verdict; a smaller window is "insufficient data",
    /// never drift. Default 200: with 10 bins the PSI of an unchanged window then averages about 0.05.</summary>
    public int MinSamples { get; init; } = 200;

    /// <summary>Permutations of the MMD test; its smallest p-value is 1/(1 + this), so keep it well above
    /// 1/MmdAlpha. Default 500.</summary>
    public int MmdPermutations { get; init; } = 500;

    /// <summary>Seed of the MMD permutations, so a report is reproducible. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Upper bound on the false-alarm rate of one window with no drift.</summary>
    public double FamilyWiseAlpha => KsAlpha + MmdAlpha + PredictionAlpha;

    /// <summary>Every problem with this policy, all at once; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!(PsiThreshold >= 0) || double.IsInfinity(PsiThreshold))
        {
            errors.Add($"{nameof(PsiThreshold)} must be a finite number >= 0 (was {PsiThreshold}).");
        }

        CheckAlpha(errors, nameof(KsAlpha), KsAlpha);
        CheckAlpha(errors, nameof(MmdAlpha), MmdAlpha);
        CheckAlpha(errors, nameof(PredictionAlpha), PredictionAlpha);
        if (MinSamples < 2)
        {
            errors.Add($"{nameof(MinSamples)} must be at least 2 (was {MinSamples}).");
        }

        if (MmdPermutations < 1)
        {
            errors.Add($"{nameof(MmdPermutations)} must be at least 1 (was {MmdPermutations}).");
        }
        else if (MmdAlpha > 0 && MmdAlpha < 1 && 1.0 / (1 + MmdPermutations) > MmdAlpha)
        {
            errors.Add($"{nameof(MmdPermutations)} = {MmdPermutations} cannot reach a p-value of {nameof(MmdAlpha)} = {MmdAlpha}; use at least {(int)Math.Ceiling((1 / MmdAlpha) - 1)}.");
        }

        return errors;
    }

    private static void CheckAlpha(List<string> errors, string name, double value)
    {
        if (!(value > 0 && value < 1))
        {
            errors.Add($"{name} must be in (0, 1) (was {value}).");
        }
    }
}
