namespace MlOps.Monitoring.Drift;

/// <summary>Result of an MMD permutation test.</summary>
/// <param name="Mmd2">Unbiased estimate of MMD² (may be slightly negative when the samples agree).</param>
/// <param name="Bandwidth">RBF σ chosen by the median heuristic, in standardized units.</param>
/// <param name="PValue">(1 + #{permuted ≥ observed})/(1 + permutations).</param>
/// <param name="Permutations">Permutations drawn.</param>
public readonly record struct MmdResult(double Mmd2, double Bandwidth, double PValue, int Permutations);

/// <summary>
/// Kernel two-sample test with the maximum mean discrepancy (Gretton, Borgwardt, Rasch, Schölkopf and Smola
/// 2012, "A Kernel Two-Sample Test", JMLR 13): the unbiased statistic MMD²ᵤ (their eq. 3) with a Gaussian RBF
/// kernel k(x,y) = exp(−‖x−y‖²/(2σ²)) and a permutation null. Each dimension is first standardized with the
/// pooled mean and standard deviation, and σ is the median pairwise distance of the pooled sample (the
/// "median heuristic", same paper §8); both depend only on the pooled set, so the permutation p-value stays
/// exact. Cost: one N×N kernel matrix (N = n+m) and O(min(n,m)²) per permutation; meant for n, m ≤ ~500.
/// </summary>
public static class MaximumMeanDiscrepancy
{
    /// <summary>
    /// Tests whether <paramref name="reference"/> and <paramref name="live"/> (row-major, <paramref name="dimension"/>
    /// values per row) come from the same distribution. Deterministic for a given <paramref name="seed"/>.
    /// </summary>
    public static MmdResult PermutationTest(
        ReadOnlySpan<double> reference, ReadOnlySpan<double> live, int dimension, int permutations = 500, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permutations);
        if (reference.Length % dimension != 0 || live.Length % dimension != 0)
        {
            throw new ArgumentException($"Sample lengths must be multiples of the dimension {dimension}.", nameof(dimension));
        }

        var n = reference.Length / dimension;
        var m = live.Length / dimension;
        if (n < 2 || m < 2)
        {
            return new MmdResult(0, 0, 1, 0);
        }

        var pooled = Standardize(reference, live, dimension);
        var total = n + m;
        var sq = SquaredDistances(pooled, total, dimension);
        var sigma = MedianDistance(sq, total);
        var kernel = sq;
        var gamma = -1 / (2 * sigma * sigma);
        for (var i = 0; i < kernel.Length; i++)
        {
            kernel[i] = Math.Exp(gamma * kernel[i]);
        }

        // Row sums without the diagonal let one block sum give all three: with R_X = Σ_{i∈X} Rᵢ,
        // S_XY = R_X − S_XX and S_YY = R_Y − S_XY, so a permutation costs O(n²/2) instead of O(N²).
        var rows = new double[total];
        for (var i = 0; i < total; i++)
        {
            var s = 0.0;
            for (var j = 0; j < total; j++)
            {
                s += kernel[(i * total) + j];
            }

            rows[i] = s - kernel[(i * total) + i];
        }

        var index = new int[total];
        for (var i = 0; i < total; i++)
        {
            index[i] = i;
        }

        var observed = Statistic(kernel, rows, index, n, m);
        var random = new Random(seed);
        var atLeast = 0;
        for (var p = 0; p < permutations; p++)
        {
            // Partial Fisher–Yates: only which n points form the first group matters.
            for (var i = 0; i < n; i++)
            {
                var j = random.Next(i, total);
                (index[i], index[j]) = (index[j], index[i]);
            }

            if (Statistic(kernel, rows, index, n, m) >= observed)
            {
                atLeast++;
            }
        }

        // Phipson & Smyth (2010): counting the observed labelling keeps the p-value valid and never zero.
        return new MmdResult(observed, sigma, (1.0 + atLeast) / (1.0 + permutations), permutations);
    }

    private static double Statistic(double[] kernel, double[] rows, int[] index, int n, int m)
    {
        var total = n + m;
        var rowsX = 0.0;
        var sxx = 0.0;
        for (var a = 0; a < n; a++)
        {
            var i = index[a];
            rowsX += rows[i];
            var rowStart = i * total;
            for (var b = a + 1; b < n; b++)
            {
                sxx += kernel[rowStart + index[b]];
            }
        }

        sxx *= 2;
        var rowsAll = 0.0;
        foreach (var r in rows)
        {
            rowsAll += r;
        }

        var sxy = rowsX - sxx;
        var syy = rowsAll - rowsX - sxy;
        return (sxx / ((double)n * (n - 1))) + (syy / ((double)m * (m - 1))) - (2 * sxy / ((double)n * m));
    }

    private static double[] Standardize(ReadOnlySpan<double> reference, ReadOnlySpan<double> live, int dimension)
    {
        var pooled = new double[reference.Length + live.Length];
        reference.CopyTo(pooled);
        live.CopyTo(pooled.AsSpan(reference.Length));
        var rows = pooled.Length / dimension;
        for (var d = 0; d < dimension; d++)
        {
            var mean = 0.0;
            for (var r = 0; r < rows; r++)
            {
                mean += pooled[(r * dimension) + d];
            }

            mean /= rows;
            var variance = 0.0;
            for (var r = 0; r < rows; r++)
            {
                var x = pooled[(r * dimension) + d] - mean;
                variance += x * x;
            }

            var sd = Math.Sqrt(variance / (rows - 1));

            // A constant dimension carries no information; zero it rather than divide by zero.
            var scale = sd > 1e-12 ? 1 / sd : 0;
            for (var r = 0; r < rows; r++)
            {
                pooled[(r * dimension) + d] = (pooled[(r * dimension) + d] - mean) * scale;
            }
        }

        return pooled;
    }

    private static double[] SquaredDistances(double[] points, int count, int dimension)
    {
        var sq = new double[count * count];
        for (var i = 0; i < count; i++)
        {
            for (var j = i + 1; j < count; j++)
            {
                var s = 0.0;
                for (var d = 0; d < dimension; d++)
                {
                    var x = points[(i * dimension) + d] - points[(j * dimension) + d];
                    s += x * x;
                }

                sq[(i * count) + j] = s;
                sq[(j * count) + i] = s;
            }
        }

        return sq;
    }

    private static double MedianDistance(double[] squared, int count)
    {
        var pairs = new double[count * (count - 1) / 2];
        var k = 0;
        for (var i = 0; i < count; i++)
        {
            for (var j = i + 1; j < count; j++)
            {
                pairs[k++] = squared[(i * count) + j];
            }
        }

        Array.Sort(pairs);
        var median = Math.Sqrt(pairs[pairs.Length / 2]);
        return median > 1e-12 ? median : 1;
    }
}
