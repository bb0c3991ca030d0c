using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Threading.Channels;

namespace LeNet5.Web.Features.Training;

/// <summary>
/// The in-memory state of the run that is queued or running: its progress, the per-batch loss curve,
/// and the event streams of the clients watching it. Written by the training thread, read by requests.
/// </summary>
public sealed class LiveRun(long id, int epochs, TimeSpan progressInterval, int maxLossPoints)
{
    public const string StateEvent = "state", ProgressEventName = "progress", EpochEventName = "epoch", DoneEvent = "done";

    private readonly Lock _lock = new();
    private readonly List<Channel<SseItem<string>>> _watchers = [];
    private readonly CancellationTokenSource _cancel = new();
    private readonly Stopwatch _clock = new();
    private List<double[]> _loss = [];
    private int _lossStride = 1, _lossSkipped;
    private long _lastProgressTicks = long.MinValue;
    private double _startProgress;
    private SseItem<string>? _done;
    private bool _finished;

    public long Id { get; } = id;
    public int Epochs { get; private set; } = epochs;
    public bool Running { get; private set; }

    /// <summary>Training is over and the model is being written: too late to cancel.</summary>
    public bool Publishing { get; private set; }
    public bool CancelRequested => _cancel.IsCancellationRequested;
    public CancellationToken Token => _cancel.Token;

    public int Epoch { get; private set; }
    public double Progress { get; private set; }
    public double? ImagesPerSecond { get; private set; }
    public double? EtaSeconds { get; private set; }
    public RunPhase Phase { get; private set; } = RunPhase.Queued;
    public IReadOnlyDictionary<string, double>? LearningRates { get; private set; }

    public void RequestCancel() => _cancel.Cancel();

    /// <summary>Training finished; from now on the run completes (or fails) without heeding a cancel.</summary>
    public void MarkPublishing()
    {
        lock (_lock)
        {
            Publishing = true;
            Phase = RunPhase.Saving;
        }
    }

    /// <summary>Training starts (or resumes) after <paramref name="completedEpochs"/> epochs, with the loss curve recorded so far.</summary>
    public void Start(int completedEpochs, int totalEpochs, IReadOnlyList<double[]>? lossCurve)
    {
        lock (_lock)
        {
            Running = true;
            Epochs = totalEpochs;
            Epoch = completedEpochs + 1;
            Progress = _startProgress = (double)completedEpochs / totalEpochs;
            Phase = RunPhase.Loading;
            _loss = lossCurve is null ? [] : [.. lossCurve.Where(p => p.Length == 2 && p[0] <= completedEpochs)];
            _clock.Restart();
        }
    }

    /// <summary>A batch finished; sends a progress event at most once per interval (and always for an epoch's last batch).</summary>
    public void OnBatch(BatchProgress p)
    {
        ProgressEvent e;
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
            e = new ProgressEvent(Id, p.Epoch, Epochs, p.Batch, p.Batches, p.Loss, p.ImagesPerSecond, Progress, EtaSeconds, Phase);
        }
        Publish(ProgressEventName, e);
    }

    public void OnEpoch(EpochMetrics metrics)
    {
        EpochEvent e;
        lock (_lock)
        {
            LearningRates = metrics.LearningRates;
            Phase = metrics.Epoch == Epochs ? RunPhase.Saving : RunPhase.Training;
            e = new EpochEvent(Id, metrics, Progress, EtaSeconds);
        }
        Publish(EpochEventName, e);
    }

    /// <summary>The per-batch loss curve, as [x, loss] pairs.</summary>
    public IReadOnlyList<double[]> LossCurve()
    {
        lock (_lock) return [.. _loss];
    }

    public string LossCurveJson() => JsonSerializer.Serialize(LossCurve(), WebJson.Options);

    /// <summary>A new watcher: its stream of events, ending with the final one. Call <see cref="Unwatch"/> when it leaves.</summary>
    public Channel<SseItem<string>> Watch()
    {
        var channel = Channel.CreateBounded<SseItem<string>>(new BoundedChannelOptions(512) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_lock)
        {
            if (_finished)
            {
                if (_done is { } done) channel.Writer.TryWrite(done);
                channel.Writer.TryComplete();
            }
            else
            {
                _watchers.Add(channel);
            }
        }
        return channel;
    }

    public void Unwatch(Channel<SseItem<string>> channel)
    {
        lock (_lock) _watchers.Remove(channel);
    }

    /// <summary>
    /// The run is over: every watcher gets the final event (when there is one) and its stream ends.
    /// Idempotent: only the first call counts.
    /// </summary>
    public void Finish(RunView? final)
    {
        SseItem<string>? done = final is null ? null : Item(DoneEvent, final);
        Channel<SseItem<string>>[] watchers;
        lock (_lock)
        {
            if (_finished) return;
            _finished = true;
            _done = done;
            Running = false;
            watchers = [.. _watchers];
            _watchers.Clear();
        }
        foreach (var w in watchers)
        {
            if (done is { } item) w.Writer.TryWrite(item);
            w.Writer.TryComplete();
        }
    }

    public static SseItem<string> Item<T>(string eventType, T data) => new(JsonSerializer.Serialize(data, WebJson.Options), eventType);

    private void Publish<T>(string eventType, T data)
    {
        var item = Item(eventType, data);
        lock (_lock)
        {
            foreach (var w in _watchers) w.Writer.TryWrite(item);
        }
    }

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
