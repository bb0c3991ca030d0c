namespace LeNet5.Web.Features.Corrections;

/// <summary>Where a contributed drawing is in review (stored and answered as its lower-case name).</summary>
public enum CorrectionStatus
{
    /// <summary>Contributed, not reviewed yet: never trained on.</summary>
    Pending,

    /// <summary>A reviewer agrees with its label: it is trained on (or tested on, see <see cref="CorrectionSplit"/>) and exported.</summary>
    Accepted,

    /// <summary>Not a digit (a scribble, a letter): kept so the same drawing is not contributed again, never trained on.</summary>
    Rejected,
}

/// <summary>
/// Which accepted drawings are the corrections test set: one in five, chosen by a hash of the id, so
/// a drawing stays on its side for good (accepting more never moves one) and is never trained on.
/// </summary>
public static class CorrectionSplit
{
    /// <summary>One drawing in <c>TestEvery</c> is a test drawing.</summary>
    public const int TestEvery = 5;

    public const string Train = "train", Test = "test";

    public static bool IsTest(long id)
    {
        Span<byte> key = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(key, id);
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(key, hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(hash) % TestEvery == 0;
    }

    public static string Of(long id) => IsTest(id) ? Test : Train;
}
