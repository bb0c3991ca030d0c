namespace LeNet5.Web.Features.Training;

/// <summary>MNIST, loaded (and fetched if missing) on first use and kept for the app's lifetime.</summary>
public sealed class MnistSource(IOptions<TrainingServiceOptions> options, IHostEnvironment environment, ILogger<MnistSource> logger)
{
    private readonly Lock _lock = new();
    private MnistDataset? _data;

    public string DirectoryPath { get; } = options.Value.ResolveMnistDirectory(environment.ContentRootPath);

    public MnistDataset Load()
    {
        lock (_lock)
        {
            if (_data is not null) return _data;
            new MnistFetcher(DirectoryPath).EnsureAvailable(message => logger.LogInformation("MNIST: {Message}", message));
            _data = MnistDataset.Load(DirectoryPath);
            return _data;
        }
    }
}
