namespace MlOps.Pipelines.Planning;

/// <summary>
/// The step graph by declaration index: <c>dependencies[i]</c> are the steps step <c>i</c> waits for. Pure
/// functions: a stable topological order and the cycles, each named once.
/// </summary>
internal static class DependencyGraph
{
    /// <summary>Kahn's algorithm, always taking the ready step declared first. The graph must be acyclic.</summary>
    public static List<int> TopologicalOrder(IReadOnlyList<IReadOnlyList<int>> dependencies)
    {
        var count = dependencies.Count;
        var dependents = Dependents(dependencies);
        var waiting = dependencies.Select(d => d.Count).ToArray();
        var ready = new SortedSet<int>(Enumerable.Range(0, count).Where(i => waiting[i] == 0));
        var order = new List<int>(count);
        while (ready.Count > 0)
        {
            var next = ready.Min;
            ready.Remove(next);
            order.Add(next);
            foreach (var dependent in dependents[next])
            {
                if (--waiting[dependent] == 0)
                {
                    ready.Add(dependent);
                }
            }
        }

        if (order.Count != count)
        {
            throw new InvalidOperationException("the step graph has a cycle");
        }

        return order;
    }

    /// <summary>One cycle per strongly connected component of more than one step: the shortest way round from
    /// the component's first-declared step, in the direction data flows (<c>a → b</c>: b needs a), ending where
    /// it started.</summary>
    public static List<List<int>> Cycles(IReadOnlyList<IReadOnlyList<int>> dependencies)
    {
        var dependents = Dependents(dependencies);
        var cycles = new List<List<int>>();
        foreach (var component in StronglyConnected(dependencies).Where(c => c.Count > 1))
        {
            var members = component.ToHashSet();
            var start = component.Min();
            cycles.Add(ShortestWayRound(start, members, dependents));
        }

        return [.. cycles.OrderBy(c => c[0])];
    }

    public static List<int>[] Dependents(IReadOnlyList<IReadOnlyList<int>> dependencies)
    {
        var dependents = Enumerable.Range(0, dependencies.Count).Select(_ => new List<int>()).ToArray();
        for (var i = 0; i < dependencies.Count; i++)
        {
            foreach (var dependency in dependencies[i])
            {
                dependents[dependency].Add(i);
            }
        }

        return dependents;
    }

    private static List<int> ShortestWayRound(int start, HashSet<int> members, List<int>[] dependents)
    {
        var previous = new Dictionary<int, int>();
        var queue = new Queue<int>([start]);
        while (queue.TryDequeue(out var current))
        {
            foreach (var next in dependents[current].Where(members.Contains).Order())
            {
                if (next == start)
                {
                    var path = new List<int> { start };
                    for (var at = current; at != start; at = previous[at])
                    {
                        path.Insert(1, at);
                    }

                    path.Add(start);
                    return path;
                }

                if (previous.TryAdd(next, current))
                {
                    queue.Enqueue(next);
                }
            }
        }

        throw new InvalidOperationException("a strongly connected component without a cycle");
    }

    /// <summary>Tarjan's algorithm; recursion depth is bounded by the step count (PlanBuilder.MaxSteps).</summary>
    private static List<List<int>> StronglyConnected(IReadOnlyList<IReadOnlyList<int>> dependencies)
    {
        var count = dependencies.Count;
        var index = new int[count];
        var low = new int[count];
        var onStack = new bool[count];
        Array.Fill(index, -1);
        var stack = new Stack<int>();
        var components = new List<List<int>>();
        var next = 0;

        void Visit(int v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack[v] = true;
            foreach (var w in dependencies[v])
            {
                if (index[w] < 0)
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack[w])
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }

            if (low[v] == index[v])
            {
                var component = new List<int>();
                int w;
                do
                {
                    w = stack.Pop();
                    onStack[w] = false;
                    component.Add(w);
                }
                while (w != v);
                components.Add(component);
            }
        }

        for (var v = 0; v < count; v++)
        {
            if (index[v] < 0)
            {
                Visit(v);
            }
        }

        return components;
    }
}
