namespace MlOps.Monitoring.Drift;

/// <summary>Corrections that keep the family-wise error rate (any false alarm among several tests) at α.</summary>
public static class MultipleTesting
{
    /// <summary>
    /// Holm's step-down adjusted p-values (Holm 1979): sort p ascending, p̃₍ᵢ₎ = max_{j≤i} min(1, (m−j+1)·p₍ⱼ₎).
    /// Rejecting where p̃ ≤ α controls the family-wise error rate at α under any dependence between the
    /// tests, like Bonferroni, and rejects at least as often. NaN p-values are treated as 1.
    /// </summary>
    public static double[] HolmAdjust(ReadOnlySpan<double> pValues)
    {
        var m = pValues.Length;
        var order = new int[m];
        var p = new double[m];
        for (var i = 0; i < m; i++)
        {
            order[i] = i;
            p[i] = double.IsNaN(pValues[i]) ? 1 : pValues[i];
        }

        Array.Sort(order, (x, y) => p[x].CompareTo(p[y]) is var c && c != 0 ? c : x.CompareTo(y));
        var adjusted = new double[m];
        var running = 0.0;
        for (var rank = 0; rank < m; rank++)
        {
            running = Math.Max(running, Math.Min(1, (m - rank) * p[order[rank]]));
            adjusted[order[rank]] = running;
        }

        return adjusted;
    }
}
