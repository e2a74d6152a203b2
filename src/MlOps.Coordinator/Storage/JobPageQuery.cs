using System.Data.Common;
using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>
/// One page of <see cref="ICoordinatorStore.ListJobsAsync"/>, for both stores: jobs newest first by submission number,
/// one row more than the page to learn whether another follows, and the last number on the page as the next token.
/// The SQL is the same in both dialects but for the state filter, which each store writes its own way.
/// </summary>
internal sealed class JobPageQuery
{
    private readonly JobQuery _query;
    private readonly long? _before;
    private readonly int _pageSize;
    private readonly List<Job> _jobs = [];
    private long _lastSeq;
    private bool _more;

    /// <summary>Decodes the page token at once, so that a bad one fails before the store does any I/O.</summary>
    /// <exception cref="InvalidPageTokenException">The token was not issued by the store.</exception>
    public JobPageQuery(JobQuery query)
    {
        _query = query;
        _before = PageTokens.Decode(query.PageToken);
        _pageSize = query.EffectivePageSize;
    }

    /// <summary>
    /// Adds the filter's parameters and returns the <c>SELECT</c>: <c>created_seq</c>, then <paramref name="jobColumns"/>.
    /// <paramref name="stateFilter"/> adds the store's parameters for the states and returns its clause.
    /// </summary>
    public string Select(StoreParameters parameters, string jobColumns, Func<IReadOnlyCollection<JobState>, string> stateFilter)
    {
        var where = new List<string>();
        if (_before is not null)
        {
            where.Add($"created_seq < {parameters.Placeholder("before")}");
            parameters.Add("before", _before.Value);
        }

        if (!string.IsNullOrEmpty(_query.Owner))
        {
            where.Add($"owner = {parameters.Placeholder("owner")}");
            parameters.Add("owner", _query.Owner);
        }

        if (_query.States.Count > 0)
        {
            where.Add(stateFilter(_query.States));
        }

        parameters.Add("limit", _pageSize + 1);
        return $"SELECT created_seq, {jobColumns} FROM jobs {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} " +
            $"ORDER BY created_seq DESC LIMIT {parameters.Placeholder("limit")};";
    }

    /// <summary>
    /// Takes the row <paramref name="reader"/> is on; false, taking nothing, once the page is full: that row only says
    /// that another page follows.
    /// </summary>
    public bool Add(DbDataReader reader)
    {
        if (_jobs.Count == _pageSize)
        {
            _more = true;
            return false;
        }

        _lastSeq = reader.GetInt64(0);
        _jobs.Add(StoreRows.ReadJob(reader, 1));
        return true;
    }

    /// <summary>The jobs taken, and the token of the next page (empty on the last).</summary>
    public JobPage ToPage() => new(_jobs, _more ? PageTokens.Encode(_lastSeq) : "");
}
