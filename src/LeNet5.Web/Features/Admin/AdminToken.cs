using System.Security.Cryptography;
using System.Text;

namespace LeNet5.Web.Features.Admin;

/// <summary>
/// The admin token: the configured one, or a random one made at start-up and shown once on the
/// console (as Jupyter does), never in the structured log. Only its SHA-256 is kept, and candidates
/// are compared hash to hash, so the comparison takes the same time whatever they hold. Replicas of a
/// cluster share one token only when Admin:Token is configured: a generated one is each replica's own.
/// </summary>
public sealed class AdminToken
{
    private readonly byte[] _hash;

    public AdminToken(IOptions<AdminOptions> options, ILogger<AdminToken> logger)
    {
        var configured = options.Value.Token.Trim();
        if (configured.Length == 0)
        {
            configured = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            Console.Out.WriteLine($"Admin token for this run: {configured}  (open /login, or send 'Authorization: Bearer TOKEN' to /api; set Admin__Token to choose one)");
            logger.LogWarning("No Admin:Token is configured; a token for this run was generated and shown on the console");
        }
        _hash = SHA256.HashData(Encoding.UTF8.GetBytes(configured));
        Fingerprint = Convert.ToHexStringLower(_hash);
    }

    /// <summary>
    /// Names this token without revealing it (its SHA-256 in hex): the sessions record it, so that a
    /// changed Admin:Token ends every session on every replica.
    /// </summary>
    public string Fingerprint { get; }

    public bool Matches(string? candidate) =>
        !string.IsNullOrEmpty(candidate) && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(candidate.Trim())), _hash);
}
