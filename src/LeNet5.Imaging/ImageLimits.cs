namespace LeNet5.Imaging;

/// <summary>What a picture may cost: its declared size is checked before decoding, and ImageSharp's allocations are capped.</summary>
public sealed record ImageLimits(int MaxWidth = 4096, int MaxHeight = 4096, int AllocationLimitMegabytes = 128)
{
    public static readonly ImageLimits Default = new();
}
