namespace GeoDns.Tests.EndToEnd;

/// <summary>
/// A test fixture that starts real processes and backends: each test gets its own temporary
/// folder (<see cref="Folder"/>), and everything given to <see cref="Own{T}"/> is disposed, in
/// reverse order, before that folder is deleted — so every process a test started is stopped.
/// </summary>
public abstract class ProcessFixture
{
    private readonly List<IDisposable> _owned = [];

    /// <summary>This test's temporary folder (zones, token files, logs).</summary>
    protected DirectoryInfo Folder { get; private set; } = null!;

    /// <summary>The temporary folder's name prefix, e.g. "geodns-page-".</summary>
    protected abstract string FolderPrefix { get; }

    [SetUp]
    public void MakeFolder() => Folder = Directory.CreateTempSubdirectory(FolderPrefix);

    [TearDown]
    public void DisposeOwnedAndFolder()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            owned.Dispose();
        }

        _owned.Clear();
        Folder.Delete(recursive: true);
    }

    protected T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }
}
