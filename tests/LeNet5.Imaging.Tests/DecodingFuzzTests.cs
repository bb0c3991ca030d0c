using System.Diagnostics;
using LeNet5.Core.Preparation;
using LeNet5.Testing;
using Xunit.Abstractions;

namespace LeNet5.Imaging.Tests;

/// <summary>
/// Seeded mutation fuzzing of the decoding entry point over every accepted format: every mutated image
/// is either read or refused with a <see cref="DigitPreparationException"/> saying why (never another
/// exception), none takes a second to decode, and every rented buffer comes back.
/// </summary>
[Collection(PixelBufferCount.Name)]
public sealed class DecodingFuzzTests(ITestOutputHelper output)
{
    public const int Cases = 40_000;

    [Fact]
    public async Task FortyThousandMutatedImagesAreReadOrRefusedQuicklyAndGiveTheirBuffersBack()
    {
        // ImageSharp's formats under a 1 s deadline too: a decode past it is reported as TooSlow, and fails the test
        var preparer = new DigitImagePreparer(ImageLimits.Default with { DecodeTimeout = TimeSpan.FromSeconds(1) });
        var mutations = new ImageMutations(seed: 20_261_203);
        long before = PixelBuffers.Outstanding;
        var failures = new List<string>();
        int read = 0, refused = 0;
        await Deadline.Within(TimeSpan.FromMinutes(4), $"{Cases:N0} mutated images", () =>
        {
            for (int i = 0; i < Cases && failures.Count < 10; i++)
            {
                var (what, bytes) = mutations.Next();
                long started = Stopwatch.GetTimestamp();
                try
                {
                    preparer.Prepare(bytes);
                    read++;
                }
                catch (DigitPreparationException ex) when (ex.Failure is not (PreparationFailure.TooSlow or PreparationFailure.Unavailable))
                {
                    refused++;
                }
                catch (Exception ex)
                {
                    failures.Add($"case {i} ({what}): {ex.GetType().Name}: {ex.Message}");
                }
                var elapsed = Stopwatch.GetElapsedTime(started);
                if (elapsed > TimeSpan.FromSeconds(1)) failures.Add($"case {i} ({what}): {elapsed.TotalSeconds:0.0} s");
            }
        });
        output.WriteLine($"{Cases:N0} mutated images: {read:N0} read, {refused:N0} refused, {failures.Count} failures");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(Cases, read + refused);
        Assert.True(read > Cases / 20 && refused > Cases / 2, $"{read} read, {refused} refused: the mutations should mostly break the images, not always");
        Assert.Equal(before, PixelBuffers.Outstanding);
    }
}
