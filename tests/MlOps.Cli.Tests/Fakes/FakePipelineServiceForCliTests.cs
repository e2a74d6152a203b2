using System.Collections.Concurrent;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>
/// TEST DOUBLE of the coordinator's PipelineService for CLI tests: runs in memory, every RunPipeline request recorded.
/// RunPipeline answers a RUNNING run with one PENDING step per name in <see cref="StepNames"/> (or the scripted
/// <see cref="RunError"/>); <see cref="Then"/> scripts how a run moves on between GetPipelineRun calls; NOT_FOUND for
/// an unknown run.
/// </summary>
internal sealed class FakePipelineServiceForCliTests : PipelineService.PipelineServiceBase
{
    private readonly Lock _lock = new();
    private readonly List<PipelineRun> _runs = [];
    private readonly Dictionary<string, Queue<PipelineRun>> _upcoming = new(StringComparer.Ordinal);
    private int _next;

    public ConcurrentQueue<RunPipelineRequest> Requests { get; } = new();

    /// <summary>Steps of the runs RunPipeline starts.</summary>
    public IReadOnlyList<string> StepNames { get; set; } = ["validate", "train"];

    /// <summary>When set, RunPipeline fails with it.</summary>
    public Status? RunError { get; set; }

    /// <summary>The run as GetPipelineRun and ListPipelineRuns answer it now (newest, last added, first).</summary>
    public void Set(PipelineRun run)
    {
        lock (_lock)
        {
            _runs.RemoveAll(r => r.Id == run.Id);
            _runs.Add(run.Clone());
        }
    }

    /// <summary>Each GetPipelineRun of the run after the first takes the next of these while any are left.</summary>
    public void Then(string id, params PipelineRun[] states)
    {
        lock (_lock)
        {
            _upcoming[id] = new Queue<PipelineRun>(states.Select(s => s.Clone()));
        }
    }

    public override Task<PipelineRun> RunPipeline(RunPipelineRequest request, ServerCallContext context)
    {
        Requests.Enqueue(request.Clone());
        if (RunError is { } error)
        {
            throw new RpcException(error);
        }

        var run = new PipelineRun
        {
            Id = $"p-{Interlocked.Increment(ref _next):D16}",
            Pipeline = "fake",
            State = PipelineRunState.Running,
            Owner = request.Owner,
            Yaml = request.Yaml,
            NoCache = request.NoCache,
            CreatedAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        };
        run.Parameters.Add(request.Parameters);
        run.Steps.AddRange(StepNames.Select(n => new PipelineStepRun { Name = n, Kind = n, State = PipelineStepState.Pending }));
        Set(run);
        return Task.FromResult(run);
    }

    public override Task<PipelineRun> GetPipelineRun(GetPipelineRunRequest request, ServerCallContext context)
    {
        lock (_lock)
        {
            var index = _runs.FindIndex(r => r.Id == request.Id);
            if (index < 0)
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"id: pipeline run '{request.Id}' not found"));
            }

            var answer = _runs[index];
            if (_upcoming.TryGetValue(request.Id, out var queue) && queue.TryDequeue(out var next))
            {
                _runs[index] = next;
            }

            return Task.FromResult(answer.Clone());
        }
    }

    public override Task<ListPipelineRunsResponse> ListPipelineRuns(ListPipelineRunsRequest request, ServerCallContext context)
    {
        lock (_lock)
        {
            var response = new ListPipelineRunsResponse();
            IEnumerable<PipelineRun> runs = Enumerable.Reverse(_runs).Where(r => request.Pipeline.Length == 0 || r.Pipeline == request.Pipeline);
            response.Runs.AddRange(runs.Take(request.Limit > 0 ? request.Limit : 50).Select(r => r.Clone()));
            return Task.FromResult(response);
        }
    }
}
