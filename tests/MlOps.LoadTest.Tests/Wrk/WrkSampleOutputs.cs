namespace MlOps.LoadTest.Tests.Wrk;

/// <summary>wrk 4.1 summaries as it prints them (the first captured from a real run, the rest laid out the same).</summary>
internal static class WrkSampleOutputs
{
    /// <summary>Milliseconds, every response 2xx, no socket errors.</summary>
    public const string Milliseconds = """
        Running 2s test @ http://127.0.0.1:18089/v2/models/m/infer
          2 threads and 4 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency    43.11ms    6.29ms  48.07ms   97.83%
            Req/Sec    45.97      9.30    60.00     70.00%
          Latency Distribution
             50%   43.97ms
             75%   44.04ms
             90%   44.13ms
             99%   48.06ms
          184 requests in 2.00s, 20.74KB read
        Requests/sec:     91.79
        Transfer/sec:     10.35KB

        """;

    /// <summary>Microseconds, with a Non-2xx line and no socket errors.</summary>
    public const string MicrosecondsWithNon2xx = """
        Running 10s test @ http://10.0.0.7:8080/v2/models/fashion-mlp/infer
          4 threads and 64 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency   812.40us  301.77us  12.31ms   88.12%
            Req/Sec    19.71k     1.02k   22.40k    71.25%
          Latency Distribution
             50%  745.00us
             75%  902.00us
             90%    1.10ms
             99%    1.92ms
          784512 requests in 10.00s, 151.37MB read
          Non-2xx or 3xx responses: 1204
        Requests/sec:  78420.35
        Transfer/sec:     15.13MB

        """;

    /// <summary>Seconds, an overloaded server: socket errors (timeouts) and non-2xx responses.</summary>
    public const string SecondsWithErrors = """
        Running 30s test @ http://127.0.0.1:8080/v2/models/fashion-cnn/infer
          16 threads and 1024 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     1.21s   402.18ms   2.00s    64.90%
            Req/Sec    31.52     19.87   151.00     68.41%
          Latency Distribution
             50%    1.18s
             75%    1.52s
             90%    1.79s
             99%    1.98s
          12840 requests in 30.10s, 3.05MB read
          Socket errors: connect 0, read 12, write 3, timeout 2210
          Non-2xx or 3xx responses: 37
        Requests/sec:    426.58
        Transfer/sec:    103.76KB

        """;

    /// <summary>Run without <c>--latency</c>: no distribution block.</summary>
    public const string WithoutDistribution = """
        Running 5s test @ http://127.0.0.1:8080/v2/models/m/infer
          1 threads and 8 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     1.35ms  220.10us   5.62ms   90.01%
            Req/Sec     5.93k   312.44     6.40k    80.00%
          29512 requests in 5.00s, 4.11MB read
        Requests/sec:   5901.92
        Transfer/sec:    841.50KB

        """;
}
