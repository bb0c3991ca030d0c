using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace LeNet5.Fuzz;

/// <summary>
/// The seed corpus: one small "7" (20x20, dark ink on white) in every variant of every accepted format that ImageSharp
/// can write. fuzz/make-corpus.sh adds the progressive JPEG (jpegtran), which ImageSharp 2.1 cannot write.
/// </summary>
internal static class Seeds
{
    private const int Side = 20;

    public static void Write(string folder)
    {
        Directory.CreateDirectory(folder);
        using var rgba = Digit();
        using var grey = rgba.CloneAs<L8>();
        using var greyAlpha = InkOnTransparent();
        Save(folder, "grey8.png", grey, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
        Save(folder, "grey1.png", grey, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit1 });
        Save(folder, "grey16.png", grey, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 });
        Save(folder, "greyalpha.png", greyAlpha, new PngEncoder { ColorType = PngColorType.GrayscaleWithAlpha, BitDepth = PngBitDepth.Bit8 });
        Save(folder, "rgb.png", rgba, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
        Save(folder, "rgba.png", rgba, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, BitDepth = PngBitDepth.Bit8 });
        Save(folder, "rgba16.png", rgba, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, BitDepth = PngBitDepth.Bit16 });
        Save(folder, "palette.png", rgba, new PngEncoder { ColorType = PngColorType.Palette, BitDepth = PngBitDepth.Bit8 });
        Save(folder, "interlaced.png", grey, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8, InterlaceMethod = PngInterlaceMode.Adam7 });
        Save(folder, "interlaced-rgba.png", rgba, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, BitDepth = PngBitDepth.Bit8, InterlaceMethod = PngInterlaceMode.Adam7 });
        Save(folder, "baseline.jpg", rgba, new JpegEncoder { Quality = 75, ColorType = JpegColorType.YCbCrRatio420 });
        Save(folder, "grey.jpg", grey, new JpegEncoder { Quality = 75, ColorType = JpegColorType.Luminance });
        Save(folder, "frame.gif", rgba, new GifEncoder());
        Save(folder, "rgb24.bmp", rgba, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 });
        Save(folder, "palette8.bmp", grey, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel8 });
        Save(folder, "lossy.webp", rgba, new WebpEncoder { FileFormat = WebpFileFormatType.Lossy, Quality = 75 });
        Save(folder, "lossless.webp", rgba, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless });
    }

    private static void Save(string folder, string name, Image image, IImageEncoder encoder)
    {
        using var file = File.Create(Path.Combine(folder, name));
        image.Save(file, encoder);
    }

    /// <summary>True where the "7" has ink: a bar across the top and a stroke down to the bottom left.</summary>
    private static bool Ink(int x, int y) =>
        (y is >= 3 and <= 5 && x is >= 4 and <= 15) || (y is >= 5 and <= 16 && Math.Abs(x - (15 - (y - 5) * 7 / 11)) <= 1);

    private static Image<Rgba32> Digit()
    {
        var image = new Image<Rgba32>(Side, Side, new Rgba32(255, 255, 255, 255));
        for (int y = 0; y < Side; y++)
        for (int x = 0; x < Side; x++)
            if (Ink(x, y)) image[x, y] = new Rgba32(20, 20, 60, 255);
        return image;
    }

    /// <summary>As a canvas draws: dark ink on transparent pixels.</summary>
    private static Image<La16> InkOnTransparent()
    {
        var image = new Image<La16>(Side, Side, new La16(0, 0));
        for (int y = 0; y < Side; y++)
        for (int x = 0; x < Side; x++)
            if (Ink(x, y)) image[x, y] = new La16(17, 255);
        return image;
    }
}
