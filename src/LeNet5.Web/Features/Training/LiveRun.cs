using System.Diagnostics;

namespace LeNet5.Web.Features.Training;

/// <summary>
/// What the replica training a run knows between two heartbeats: its progress, the per-batch loss
/// curve, and why it should stop (a cancel, the lease lost to another replica, or shutdown). Written
/// by the training thread, read by the heartbeat and by this replica's requests; other replicas read
/// the <see cref="LiveProgress"/> the heartbeat writes to the run's row.
/// </summary>
public sealed class LiveRun(long id, int epochs, TimeSpan progressInterval, int maxLossPoints, Action<long> progressed)
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _cancel = new(), _lost = new();
    private readonly Stopwatch _clock = new();
    private List<double[]> _loss = [];
    private int _lossStride = 1, _lossSkipped;
    private long _lastProgressTicks = long.MinValue;
    private double _startProgress;
    private ProgressEvent? _lastEvent;

    public long Id { get; } = id;
    public int Epochs { get; private set; } = epochs;

    public bool CancelRequested => _cancel.IsCancellationRequested;

    /// <summary>Another replica holds the run now: this one stops without writing anything more to it.</summary>
    public bool LeaseLost => _lost.IsCancellationRequested;

    /// <summary>Cancels when either a cancel was asked or the lease was lost.</summary>
    public CancellationToken CancelToken => _cancel.Token;

    public CancellationToken LostToken => _lost.Token;

    public int Epoch { get; private set; }
    public double Progress { get; private set; }
    public double? ImagesPerSecond { get; private set; }
    public double? EtaSeconds { get; private set; }
    public RunPhase Phase { get; private set; } = RunPhase.Loading;
    public IReadOnlyDictionary<string, double>? LearningRates { get; private set; }

    public void RequestCancel() => _cancel.Cancel();

    public void LoseLease() => _lost.Cancel();

    /// <summary>Training starts (or resumes) after <paramref name="completedEpochs"/> epochs, with the loss curve recorded so far.</summary>
    public void Start(int completedEpochs, int totalEpochs, IReadOnlyList<double[]>? lossCurve)
    {
        lock (_lock)
        {
            Epochs = totalEpochs;
            Epoch = completedEpochs + 1;
            Progress = _startProgress = (double)completedEpochs / totalEpochs;
            Phase = RunPhase.Loading;
            _loss = lossCurve is null ? [] : [.. lossCurve.Where(p => p.Length == 2 && p[0] <= completedEpochs)];
            _clock.Restart();
        }
    }

    /// <summary>A batch finished; its watchers hear of it at most once per interval (and always of an epoch's last batch).</summary>
    public void OnBatch(BatchProgress p)
    {
        lock (_lock)
        {
            double x = p.Epoch - 1 + (double)p.Batch / p.Batches;
            AddLossPoint(x, p.Loss);
            Epoch = p.Epoch;
            Progress = Math.Clamp(x / Epochs, 0, 1);
            ImagesPerSecond = p.ImagesPerSecond;
            EtaSeconds = Progress > _startProgress ? _clock.Elapsed.TotalSeconds * (1 - Progress) / (Progress - _startProgress) : null;
            Phase = p.Batch == p.Batches ? RunPhase.Evaluating : RunPhase.Training;
            long now = _clock.ElapsedTicks;
            if (p.Batch != p.Batches && now - _lastProgressTicks < progressInterval.TotalSeconds * Stopwatch.Frequency) return;
            _lastProgressTicks = now;
            _lastEvent = new ProgressEvent(Id, p.Epoch, Epochs, p.Batch, p.Batches, p.Loss, p.ImagesPerSecond, Progress, EtaSeconds, Phase);
        }
        progressed(Id);
    }

    public void OnEpoch(EpochMetrics metrics)
    {
        lock (_lock)
        {
            LearningRates = metrics.LearningRates;
            Phase = metrics.Epoch == Epochs ? RunPhase.Saving : RunPhase.Training;
        }
    }

    public void MarkPublishing()
    {
        lock (_lock) Phase = RunPhase.Saving;
    }

    /// <summary>Its progress as a snapshot, for the row (other replicas) and this replica's views and streams.</summary>
    public LiveProgress Snapshot()
    {
        lock (_lock) return new LiveProgress(Epoch, Epochs, Progress, ImagesPerSecond, EtaSeconds, Phase, LearningRates, _lastEvent);
    }

    /// <summary>The per-batch loss curve, as [x, loss] pairs.</summary>
    public IReadOnlyList<double[]> LossCurve()
    {
        lock (_lock) return [.. _loss];
    }

    public string LossCurveJson() => JsonSerializer.Serialize(LossCurve(), WebJson.Options);

    /// <summary>Keeps the curve under the point budget by halving its resolution when full.</summary>
    private void AddLossPoint(double x, double loss)
    {
        if (++_lossSkipped < _lossStride) return;
        _lossSkipped = 0;
        _loss.Add([Math.Round(x, 4), double.Parse(loss.ToString("G5", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)]);
        if (_loss.Count < maxLossPoints) return;
        _loss = [.. _loss.Where((_, i) => i % 2 == 1)];
        _lossStride *= 2;
    }
}
