namespace MlOps.ServingBench;

internal static class Stats
{
    public static double Percentile(List<double> values, double fraction)
    {
        values.Sort();
        var rank = (values.Count - 1) * fraction;
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return values[low] + ((values[high] - values[low]) * (rank - low));
    }

    public static double Median(List<double> values) => Percentile(values, 0.5);
}
