using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace LeNet5.Web.Features.Admin;

/// <summary>
/// The data-protection key ring in the database (table <c>data_protection_keys</c>), so that a sign-in
/// cookie or an antiforgery token protected by one replica is read by every other, and survives restarts.
/// Whoever can read the database can read the keys (they are not encrypted at rest): guard it as the
/// admin token is guarded.
/// </summary>
public sealed class DatabaseXmlRepository(Database database) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        database.Query("SELECT xml FROM data_protection_keys ORDER BY name;", r => XElement.Parse(r.GetString(0)));

    /// <summary>Stores a key or a revocation under its name; an element once stored is never replaced (keys are immutable).</summary>
    public void StoreElement(XElement element, string friendlyName) =>
        database.Execute("INSERT INTO data_protection_keys (name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO NOTHING;",
            ("@name", friendlyName), ("@xml", element.ToString(SaveOptions.DisableFormatting)));
}
