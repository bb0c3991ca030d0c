using System.Security.Cryptography;
using System.Text;

namespace LeNet5.Web.Features.Admin;

/// <summary>The admin token: the configured one, or a random one made at start-up and logged once (as Jupyter does).</summary>
public sealed class AdminToken
{
    private readonly byte[] _token;

    public AdminToken(IOptions<AdminOptions> options, ILogger<AdminToken> logger)
    {
        var configured = options.Value.Token;
        if (string.IsNullOrWhiteSpace(configured))
        {
            configured = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
            logger.LogWarning("No Admin:Token is configured; the admin token for this run is {Token} (open /login, or send 'Authorization: Bearer {Token}'). Set Admin__Token to choose one.", configured, configured);
        }
        _token = Encoding.UTF8.GetBytes(configured.Trim());
    }

    /// <summary>Compares in constant time.</summary>
    public bool Matches(string? candidate) =>
        !string.IsNullOrEmpty(candidate) && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate.Trim()), _token);
}
