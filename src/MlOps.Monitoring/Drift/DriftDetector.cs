using System.Globalization;
using MlOps.Monitoring.Images;
using MlOps.Monitoring.Profiles;

namespace MlOps.Monitoring.Drift;

/// <summary>
/// Compares a reference profile with a live one and returns a <see cref="DriftReport"/>. A pure function of
/// its inputs and the policy (the MMD permutations are seeded), so the same profiles always give the same report.
/// </summary>
/// <remarks>
/// Three families of tests, each at its own level:
/// <list type="bullet">
/// <item>per summary feature, a binned two-sample KS test, with Holm's step-down correction across the
/// <see cref="ImageFeatures.Count"/> features so the family rejects wrongly with probability at most KsAlpha;
/// a feature counts as drifted only if its PSI also reaches PsiThreshold (significant <i>and</i> material);</item>
/// <item>an MMD permutation test on the reservoirs of summary vectors, which sees joint changes the
/// marginal tests miss;</item>
/// <item>a chi-square homogeneity test on the predicted-class counts.</item>
/// </list>
/// The verdict is Drift when any family rejects; by the union bound a window without drift alarms with
/// probability at most <see cref="DriftPolicy.FamilyWiseAlpha"/>.
/// </remarks>
public sealed class DriftDetector
{
    /// <summary>A detector with <paramref name="policy"/> (defaults when null).</summary>
    /// <exception cref="ArgumentException">The policy is invalid; the message lists every problem.</exception>
    public DriftDetector(DriftPolicy? policy = null)
    {
        Policy = policy ?? new DriftPolicy();
        var errors = Policy.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid drift policy: " + string.Join(" ", errors), nameof(policy));
        }
    }

    /// <summary>The thresholds in use.</summary>
    public DriftPolicy Policy { get; }

    /// <summary>Compares inputs and predictions.</summary>
    public DriftReport Compare(ModelProfile reference, ModelProfile live)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(live);
        return Compare(reference.Inputs, live.Inputs, reference.Predictions, live.Predictions);
    }

    /// <summary>Compares inputs only.</summary>
    public DriftReport Compare(ImageProfile reference, ImageProfile live)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(live);
        return Compare(reference, live, null, null);
    }

    /// <summary>Compares predictions only.</summary>
    public DriftReport Compare(PredictionProfile reference, PredictionProfile live)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(live);
        return Compare(null, null, reference, live);
    }

    private DriftReport Compare(ImageProfile? referenceInputs, ImageProfile? liveInputs, PredictionProfile? referencePredictions, PredictionProfile? livePredictions)
    {
        var reasons = new List<string>();
        var drift = false;
        var untested = false;
        IReadOnlyList<FeatureDrift> features = [];
        ImageShift? images = null;
        PredictionShift? predictions = null;
        var pixelShift = 0.0;

        if (referenceInputs is not null && liveInputs is not null)
        {
            CheckCompatible(referenceInputs, liveInputs);
            if (HasEnough(referenceInputs.Count, liveInputs.Count, "images", reasons))
            {
                features = CompareFeatures(referenceInputs, liveInputs);
                foreach (var f in features.Where(f => f.Drifted))
                {
                    drift = true;
                    reasons.Add(string.Create(CultureInfo.InvariantCulture,
                        $"feature {f.Name}: PSI {f.Psi:F3} >= {Policy.PsiThreshold}, KS D {f.KsD:F3}, Holm-adjusted p {f.AdjustedPValue:G3} <= {Policy.KsAlpha} (mean {f.ReferenceMean:G4} -> {f.LiveMean:G4})"));
                }

                var mmd = MaximumMeanDiscrepancy.PermutationTest(
                    referenceInputs.Sample.Rows, liveInputs.Sample.Rows, ImageFeatures.Count, Policy.MmdPermutations, Policy.Seed);
                images = new ImageShift(mmd, mmd.PValue <= Policy.MmdAlpha);
                if (images.Drifted)
                {
                    drift = true;
                    reasons.Add(string.Create(CultureInfo.InvariantCulture,
                        $"image summary vectors: MMD² {mmd.Mmd2:G3}, permutation p {mmd.PValue:G3} <= {Policy.MmdAlpha}"));
                }

                pixelShift = MaxPixelMeanShift(referenceInputs, liveInputs);
            }
            else
            {
                untested = true;
            }
        }

        if (referencePredictions is not null && livePredictions is not null)
        {
            if (referencePredictions.ClassCount != livePredictions.ClassCount)
            {
                throw new ArgumentException(
                    $"Reference has {referencePredictions.ClassCount} classes, live has {livePredictions.ClassCount}.", nameof(livePredictions));
            }

            if (HasEnough(referencePredictions.Total, livePredictions.Total, "predictions", reasons))
            {
                var chi = CategoricalShift.ChiSquareHomogeneity(referencePredictions.Counts, livePredictions.Counts);
                predictions = new PredictionShift(
                    chi,
                    CategoricalShift.JensenShannon(referencePredictions.Counts, livePredictions.Counts),
                    CategoricalShift.TotalVariation(referencePredictions.Counts, livePredictions.Counts),
                    chi.PValue <= Policy.PredictionAlpha);
                if (predictions.Drifted)
                {
                    drift = true;
                    reasons.Add(string.Create(CultureInfo.InvariantCulture,
                        $"predicted classes: chi-square {chi.Statistic:F1} on {chi.DegreesOfFreedom} df, p {chi.PValue:G3} <= {Policy.PredictionAlpha}, total variation {predictions.TotalVariation:F3}"));
                }
            }
            else
            {
                untested = true;
            }
        }

        var verdict = drift ? DriftVerdict.Drift : untested ? DriftVerdict.InsufficientData : DriftVerdict.NoDrift;
        if (verdict == DriftVerdict.Drift)
        {
            // Only the findings matter for a Drift verdict; drop "not enough data" lines of the other parts.
            reasons.RemoveAll(r => r.StartsWith("insufficient", StringComparison.Ordinal));
        }

        return new DriftReport
        {
            Verdict = verdict,
            ReferenceImages = referenceInputs?.Count ?? 0,
            LiveImages = liveInputs?.Count ?? 0,
            LivePredictions = livePredictions?.Total ?? 0,
            Features = features,
            Images = images,
            Predictions = predictions,
            MaxPixelMeanShift = pixelShift,
            Reasons = reasons,
        };
    }

    private FeatureDrift[] CompareFeatures(ImageProfile reference, ImageProfile live)
    {
        var count = reference.Features.Count;
        var pValues = new double[count];
        var ks = new KsResult[count];
        for (var f = 0; f < count; f++)
        {
            ks[f] = KolmogorovSmirnov.Binned(reference.Features[f].Histogram, live.Features[f].Histogram);
            pValues[f] = ks[f].PValue;
        }

        var adjusted = MultipleTesting.HolmAdjust(pValues);
        var result = new FeatureDrift[count];
        for (var f = 0; f < count; f++)
        {
            var psi = PopulationStabilityIndex.Compute(reference.Features[f].Histogram, live.Features[f].Histogram);
            result[f] = new FeatureDrift(
                reference.Features[f].Name, psi, ks[f].D, ks[f].PValue, adjusted[f],
                reference.Features[f].Moments.Mean, live.Features[f].Moments.Mean,
                adjusted[f] <= Policy.KsAlpha && psi >= Policy.PsiThreshold);
        }

        return result;
    }

    private bool HasEnough(long referenceCount, long liveCount, string what, List<string> reasons)
    {
        if (referenceCount >= Policy.MinSamples && liveCount >= Policy.MinSamples)
        {
            return true;
        }

        reasons.Add(string.Create(CultureInfo.InvariantCulture,
            $"insufficient {what}: reference {referenceCount}, live {liveCount}, need {Policy.MinSamples} each"));
        return false;
    }

    private static void CheckCompatible(ImageProfile reference, ImageProfile live)
    {
        if (reference.Height != live.Height || reference.Width != live.Width)
        {
            throw new ArgumentException($"Reference images are {reference.Height}x{reference.Width}, live {live.Height}x{live.Width}.", nameof(live));
        }

        for (var f = 0; f < reference.Features.Count; f++)
        {
            if (!reference.Features[f].Histogram.Edges.Equals(live.Features[f].Histogram.Edges))
            {
                throw new ArgumentException(
                    $"Feature '{reference.Features[f].Name}' of the live profile has other bin edges than the reference; create live profiles with CreateLike.",
                    nameof(live));
            }
        }
    }

    private static double MaxPixelMeanShift(ImageProfile reference, ImageProfile live)
    {
        var max = 0.0;
        var refMean = reference.Pixels.Mean;
        var liveMean = live.Pixels.Mean;
        for (var i = 0; i < refMean.Length; i++)
        {
            // A floor on the spread keeps always-background pixels (variance ~0) from dominating.
            var sd = Math.Max(Math.Sqrt(reference.Pixels.Variance(i)), 1e-3);
            max = Math.Max(max, Math.Abs(liveMean[i] - refMean[i]) / sd);
        }

        return max;
    }
}
