namespace LeNet5.Core.Preparation;

/// <summary>
/// Deskewing as the deskewed classifiers of the MNIST page do it: the ink's second moments say how
/// far the digit leans (the slope of x on y, cov(x, y) / var(y)); each row is slid back by that
/// slope times its height above the centre of mass, which stands the digit upright, and the result
/// is laid out again as MNIST would (<see cref="MnistLayout.Lay"/>).
/// </summary>
public static class Deskew
{
    /// <summary>The steepest lean undone, as a slope of x on y (45 degrees): beyond it a digit is more likely lying down than slanted.</summary>
    public const double MaxSlope = 1.0;

    // Room on either side of the 28 columns, so a slid row is never cut.
    private const int Margin = MnistLayout.Side / 2;
    private const int Width = MnistLayout.Side + 2 * Margin;

    private static readonly InkLevels Identity = new(Inverted: false, Background: 0, Range: 255);

    /// <summary>How far the digit leans: x's slope on y through the centre of mass (positive: the top leans right); 0 without ink.</summary>
    public static double Slope(ReadOnlySpan<byte> digit28)
    {
        const int side = MnistLayout.Side;
        if (MnistLayout.CentreOfMass(digit28, side, side) is not var (cx, cy)) return 0;
        double yy = 0, xy = 0;
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
            {
                int v = digit28[y * side + x];
                yy += v * (y - cy) * (y - cy);
                xy += v * (x - cx) * (y - cy);
            }
        // image rows grow downwards, so a digit whose top leans right has x falling as y grows
        return yy == 0 ? 0 : Math.Clamp(-xy / yy, -MaxSlope, MaxSlope);
    }

    /// <summary>The digit stood upright and laid out again; a copy when it has no ink.</summary>
    public static byte[] Apply(ReadOnlySpan<byte> digit28)
    {
        const int side = MnistLayout.Side;
        if (digit28.Length != MnistLayout.Pixels) throw new ArgumentException($"expected {MnistLayout.Pixels} pixels", nameof(digit28));
        if (MnistLayout.CentreOfMass(digit28, side, side) is not var (_, cy)) return digit28.ToArray();
        double slope = Slope(digit28);
        Span<byte> upright = stackalloc byte[Width * side];
        upright.Clear();
        for (int y = 0; y < side; y++)
        {
            // a row (cy - y) above the centre sits slope (cy - y) to the right: it goes back by as much
            double shift = slope * (cy - y);
            var row = digit28.Slice(y * side, side);
            for (int x = 0; x < Width; x++)
            {
                double u = x - Margin + shift;
                int u0 = (int)Math.Floor(u);
                double f = u - u0;
                double level = At(row, u0) * (1 - f) + At(row, u0 + 1) * f;
                upright[y * Width + x] = (byte)Math.Round(level);
            }
        }
        return MnistLayout.Lay(upright, Width, side, Identity) ?? digit28.ToArray();

        static int At(ReadOnlySpan<byte> row, int x) => (uint)x < side ? row[x] : 0;
    }
}
