namespace LeNet5.Web.Infrastructure.Cluster;

/// <summary>This process among the replicas that share a database (section <c>Replica</c>).</summary>
public sealed class ReplicaOptions
{
    public const string Section = "Replica";

    /// <summary>The name a run's <c>trainer</c> field shows and the logs carry; empty: the host name and the process id.</summary>
    [StringLength(100)]
    public string? Name { get; set; }

    public string EffectiveName => string.IsNullOrWhiteSpace(Name) ? $"{Environment.MachineName}-{Environment.ProcessId}" : Name.Trim();
}
