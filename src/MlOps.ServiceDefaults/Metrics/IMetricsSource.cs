namespace MlOps.ServiceDefaults.Metrics;

/// <summary>
/// Something that contributes metric families to a service's <c>/metrics</c> page, read at scrape time. Each source
/// writes whole families (HELP, TYPE and every series), and no family name twice across sources.
/// </summary>
public interface IMetricsSource
{
    /// <summary>Writes this source's families; called once per scrape, possibly concurrently with other scrapes.</summary>
    ValueTask WriteAsync(PrometheusTextWriter writer, CancellationToken cancellationToken);
}
