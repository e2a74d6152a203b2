using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using MlOps.Contracts.Inference;
using MlOps.Serving.Tests.Protocol.Support;
using static MlOps.Serving.Tests.Protocol.Support.ProtocolRequests;

namespace MlOps.Serving.Tests.Protocol;

/// <summary>
/// Property test: thousands of randomly damaged requests over gRPC and REST. Every answer must be a deliberate
/// status (never an unhandled server error), any success must be numerically right, and afterwards the server is
/// still healthy and answers valid requests correctly.
/// </summary>
public sealed class ProtocolFuzzTests : IAsyncLifetime
{
    private const int Requests = 3000;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(20);

    private static readonly StatusCode[] ExpectedGrpc =
        [StatusCode.OK, StatusCode.InvalidArgument, StatusCode.NotFound, StatusCode.Unavailable];

    private static readonly HttpStatusCode[] ExpectedRest =
    [
        HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.ServiceUnavailable,
        HttpStatusCode.UnsupportedMediaType,
    ];

    private readonly ConcurrentDictionary<string, int> _outcomes = new();
    private OpenInferenceTestServer _server = null!;

    public async Task InitializeAsync() => _server = await OpenInferenceTestServer.StartWithEchoAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    [Trait("Category", "Fuzz")]
    public async Task ModelInfer_ThousandsOfMalformedRequests_ServerStaysUpAndValidRequestsStayCorrect()
    {
        // A failure prints its seed; MLOPS_FUZZ_SEED replays it.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("MLOPS_FUZZ_SEED"), CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed
            : Environment.TickCount;
        var failures = new ConcurrentQueue<string>();
        var done = 0;
        using var budget = new CancellationTokenSource(Budget);

        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = budget.Token }, async (i, _) =>
            {
                var random = new Random(seed + i);
                string? problem;
                try
                {
                    problem = (i % 10) switch
                    {
                        < 5 => await GrpcAsync(random),
                        9 => await GarbageAsync(random),
                        _ => await RestAsync(random),
                    };
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Keep the seed with the failure: an exception here is a bug in the server or in this test.
                    problem = $"unexpected {ex.GetType().Name}: {ex.Message}";
                }

                if (problem is not null)
                {
                    failures.Enqueue($"seed {seed} request {i}: {problem}");
                }

                Interlocked.Increment(ref done);
            });
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested)
        {
            // The time bound keeps a slow machine within the suite's budget; enough requests still ran.
        }

        Assert.True(done >= 500, $"only {done} requests ran within {Budget}");
        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures.Take(20)));
        Assert.All(["grpc OK", "grpc InvalidArgument", "grpc NotFound", "garbage InvalidArgument", "rest OK", "rest BadRequest", "rest NotFound"],
            outcome => Assert.True(_outcomes.ContainsKey(outcome), $"no '{outcome}' among {string.Join(", ", _outcomes)}"));
        Assert.DoesNotContain(_server.Errors.Entries, e => e.StartsWith("MlOps.", StringComparison.Ordinal));
        await AssertStillServingAsync();
    }

    private async Task<string?> GrpcAsync(Random random)
    {
        var (request, description) = GrpcMutator.Mutate(random);
        try
        {
            var response = await _server.Client.ModelInferAsync(request);
            Count("grpc OK");
            // A mutation may leave a valid empty tensor (a zero in the shape, no contents at all): then the answer is empty too.
            var input = request.RawInputContents.Count > 0
                ? Floats(request.RawInputContents[0].Span)
                : request.Inputs[0].Contents?.Fp32Contents.ToArray() ?? [];
            var output = response.RawOutputContents.Count > 0 ? Floats(response.RawOutputContents[0].Span) : [];
            return output.SequenceEqual(Doubled(input)) ? null : $"gRPC [{description}] wrong answer";
        }
        catch (RpcException e)
        {
            Count($"grpc {e.StatusCode}");
            return ExpectedGrpc.Contains(e.StatusCode) && e.Status.Detail.Length > 0 ? null : $"gRPC [{description}] {e.StatusCode}: {e.Status.Detail}";
        }
    }

    private async Task<string?> GarbageAsync(Random random)
    {
        var bytes = new byte[random.Next(0, 200)];
        random.NextBytes(bytes);
        var bytesMarshaller = Marshallers.Create(b => b, b => b);
        var method = new Method<byte[], byte[]>(MethodType.Unary, "inference.GRPCInferenceService", "ModelInfer", bytesMarshaller, bytesMarshaller);
        try
        {
            await _server.Channel.CreateCallInvoker().AsyncUnaryCall(method, null, default, bytes);
            return "garbage bytes answered OK";
        }
        catch (RpcException e)
        {
            Count($"garbage {e.StatusCode}");
            return ExpectedGrpc.Contains(e.StatusCode)
                ? null
                : $"garbage {e.StatusCode}: {e.Status.Detail}";
        }
    }

    private async Task<string?> RestAsync(Random random)
    {
        var fuzz = RestMutator.Mutate(random);
        using var content = new ByteArrayContent(fuzz.Body);
        if (fuzz.HeaderLength is not null)
        {
            content.Headers.TryAddWithoutValidation("Inference-Header-Content-Length", fuzz.HeaderLength);
        }

        if (fuzz.ContentEncoding is not null)
        {
            content.Headers.ContentEncoding.Add(fuzz.ContentEncoding);
        }

        using var response = await _server.Http.PostAsync(fuzz.Path, content);
        Count($"rest {response.StatusCode}");
        if (!ExpectedRest.Contains(response.StatusCode))
        {
            return $"REST [{fuzz.Description}] {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (await ErrorOfAsync(response)).Length > 0 ? null : $"REST [{fuzz.Description}] empty error";
        }

        return fuzz.Path.EndsWith("/infer", StringComparison.Ordinal) && !await IsCorrectAsync(fuzz, response)
            ? $"REST [{fuzz.Description}] wrong answer"
            : null;
    }

    private void Count(string outcome) => _outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);

    private static async Task<bool> IsCorrectAsync(RestFuzzRequest fuzz, HttpResponseMessage response)
    {
        var (json, binary) = await ReadInferResponseAsync(response);
        var output = json.GetProperty("outputs")[0];
        var actual = output.TryGetProperty("data", out var data) ? data.EnumerateArray().Select(Number).ToArray() : Floats(binary);
        return ExpectedInput(fuzz) is not { } input || actual.SequenceEqual(Doubled(input));
    }

    /// <summary>The input the server must have seen, parsed independently; null when it holds strings we do not re-parse.</summary>
    private static float[]? ExpectedInput(RestFuzzRequest fuzz)
    {
        if (fuzz.HeaderLength == "0")
        {
            return Floats(fuzz.Body);
        }

        var length = fuzz.HeaderLength is null ? fuzz.Body.Length : int.Parse(fuzz.HeaderLength, CultureInfo.InvariantCulture);
        using var document = JsonDocument.Parse(fuzz.Body.AsMemory(0, length));
        var input = document.RootElement.GetProperty("inputs")[0];
        if (!input.TryGetProperty("data", out var data))
        {
            return Floats(fuzz.Body.AsSpan(length));
        }

        var leaves = Flatten(data).ToList();
        return leaves.All(l => l.ValueKind == JsonValueKind.Number) ? leaves.Select(Number).ToArray() : null;
    }

    private static IEnumerable<JsonElement> Flatten(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().SelectMany(Flatten) : [element];

    private static float Number(JsonElement e) => e.ValueKind == JsonValueKind.Number
        ? (float)e.GetDouble()
        : e.GetString() switch { "NaN" => float.NaN, "Infinity" => float.PositiveInfinity, _ => float.NegativeInfinity };

    private async Task AssertStillServingAsync()
    {
        var grpc = await _server.Client.ModelInferAsync(EchoRaw(batch: 4, id: "after"));
        Assert.Equal(Doubled(Rows(4)), Floats(grpc.RawOutputContents[0].Span));

        using var rest = await _server.Http.PostAsync("/v2/models/echo/infer", Json(EchoJson(batch: 3)));
        var (json, _) = await ReadInferResponseAsync(rest);
        Assert.Equal(Doubled(Rows(3)), json.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(d => d.GetSingle()));

        var health = await new Health.HealthClient(_server.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        using var live = await _server.Http.GetAsync("/v2/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
