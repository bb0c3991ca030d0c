namespace LeNet5.Core.Preparation;

/// <summary>Why an image could not become a digit for the network.</summary>
public enum PreparationFailure
{
    /// <summary>Not an image of an accepted format, or a damaged one.</summary>
    Undecodable,

    /// <summary>The image declares more pixels than the limits allow.</summary>
    TooLarge,

    /// <summary>The image holds no ink.</summary>
    Blank,

    /// <summary>The image took longer to decode than the deadline allows.</summary>
    TooSlow,

    /// <summary>Earlier images' decodes are stuck past their deadline: this one is refused for now, not judged.</summary>
    Unavailable,
}

/// <summary>An image that cannot be prepared; the message says what is wrong with it, for the caller.</summary>
public sealed class DigitPreparationException(PreparationFailure failure, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public PreparationFailure Failure { get; } = failure;
}
