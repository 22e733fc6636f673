namespace Custody.Core.Hd;

/// <summary>
/// Derives keys by path from a master node, keeping the parents it passes through so the
/// next path under the same account costs one step instead of five (a PSBT with many
/// inputs of one account, or many signatures in one session). Only inner nodes are kept,
/// never the leaf handed out, and all of them are zeroed on Dispose. Thread-safe.
/// </summary>
public sealed class DerivationCache<TNode> : IDisposable where TNode : class, IHdPrivateNode<TNode>
{
    /// <summary>Enough for every account and change branch a wallet signs with in one session.</summary>
    public const int DefaultCapacity = 256;

    private readonly TNode _master;
    private readonly int _capacity;
    private readonly Dictionary<KeyPath, TNode> _nodes = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>Takes ownership of <paramref name="master"/>.</summary>
    public DerivationCache(TNode master, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _master = master;
        _capacity = capacity;
    }

    /// <summary>Inner nodes held right now (for tests and metrics).</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _nodes.Count;
        }
    }

    /// <summary>The key at <paramref name="path"/> from the master; the caller owns and disposes it.</summary>
    public TNode Derive(KeyPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (path.Depth == 0) return _master.Copy();
            var parent = Parent(path.Parent());
            return parent.Derive(path[path.Depth - 1]);
        }
    }

    // The node at an inner path, from the longest prefix already held.
    private TNode Parent(KeyPath path)
    {
        if (path.Depth == 0) return _master;
        if (_nodes.TryGetValue(path, out var cached)) return cached;
        var node = Parent(path.Parent()).Derive(path[path.Depth - 1]);
        if (_nodes.Count >= _capacity) Clear();
        _nodes[path] = node; // a node evicted above was only needed to derive this one
        return node;
    }

    private void Clear()
    {
        foreach (var node in _nodes.Values) node.Dispose();
        _nodes.Clear();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            Clear();
            _master.Dispose();
            _disposed = true;
        }
    }
}
