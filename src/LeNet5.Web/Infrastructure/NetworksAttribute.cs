using IPNetwork = System.Net.IPNetwork;

namespace LeNet5.Web.Infrastructure;

/// <summary>A setting that lists networks in CIDR form, such as <c>10.0.0.0/8</c>: each one must parse.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NetworksAttribute() : ValidationAttribute("{0} must list networks in CIDR form, such as 10.0.0.0/8.")
{
    public override bool IsValid(object? value) => value is not string[] networks || networks.All(n => IPNetwork.TryParse(n, out _));
}
