using System.Diagnostics;
using LeNet5.Core.Preparation;
using LeNet5.Imaging;
using SharpFuzz;

namespace LeNet5.Fuzz;

/// <summary>
/// The AFL harness over <see cref="DigitImagePreparer.Prepare"/>. Its contract: for any bytes it returns a
/// 784-byte digit or throws <see cref="DigitPreparationException"/>. Anything else escaping is reported to
/// afl-fuzz as a crash; a decode that runs past the preparer's deadline is made a hang (see <see cref="Check"/>).
/// </summary>
public static class Program
{
    /// <summary>
    /// The service's limits, but smaller images, so that one input costs milliseconds: up to 1024x1024 and 32 MB of
    /// decoder allocations (the service allows 4096x4096 and 128 MB). The 2 s decode deadline is the service's own.
    /// </summary>
    /// <remarks>
    /// A method, not a static field: in the instrumented build, no code of LeNet5.Imaging may run before SharpFuzz has
    /// set up its coverage map inside <see cref="Fuzzer.OutOfProcess.Run(Action{Stream})"/> (it would write through a null pointer).
    /// </remarks>
    public static ImageLimits CampaignLimits() => new(MaxWidth: 1024, MaxHeight: 1024, AllocationLimitMegabytes: 32);

    public static int Main(string[] args)
    {
        if (args is ["--write-seeds", var folder])
        {
            Seeds.Write(folder);
            return 0;
        }
        if (args is ["--replay", .. var files])
            return Replay(new DigitImagePreparer(CampaignLimits()), files); // with the plain build only (see CampaignLimits)
        // Under afl-fuzz: a fork server of SharpFuzz's that runs each input in a child dotnet process and
        // starts a new one when a child dies (a crash, or killed by afl-fuzz on its timeout).
        // Outside afl-fuzz: runs once, on standard input (this works with the instrumented build too).
        DigitImagePreparer? preparer = null;
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            preparer ??= new DigitImagePreparer(CampaignLimits());
            Check(preparer, memory.ToArray());
        });
        return 0;
    }

    /// <summary>One input against the contract: throws (a crash to afl-fuzz) when it is broken.</summary>
    public static void Check(DigitImagePreparer preparer, byte[] input)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        byte[]? digit = null;
        try
        {
            digit = preparer.Prepare(input);
        }
        catch (DigitPreparationException ex) when (ex.Failure is PreparationFailure.TooSlow)
        {
            // ImageSharp's decode went past the deadline and cannot be stopped: in the service it pins a core until it
            // ends. Wait here, so that afl-fuzz's timeout (-t) kills this child and files the input under hangs/
            // (otherwise every later input in this child would be refused as Unavailable, and the fuzzer blinded).
            Thread.Sleep(Timeout.Infinite);
            throw;
        }
        catch (DigitPreparationException)
        {
            // a refusal the contract allows, if it cost no more memory than an image may
        }
        // a header that makes a decoder allocate by what it declares fails fast enough to pass for a refusal, but alone
        // it costs seconds of zeroing, and a few at once take the process's memory: a crash too
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        if (allocated > ImageLimits.ManagedBytesPerImage)
            throw new InvalidOperationException($"Reading {input.Length} bytes allocated {allocated:N0} bytes, more than an image may ({ImageLimits.ManagedBytesPerImage:N0}).");
        if (digit is not null and not { Length: 28 * 28 })
            throw new InvalidOperationException($"Prepare returned {digit.Length} bytes, not 784.");
    }

    /// <summary>Runs saved inputs (crashes, hangs, queue entries) outside afl-fuzz and says what each did; 1 if any broke the contract.</summary>
    private static int Replay(DigitImagePreparer preparer, string[] files)
    {
        int broken = 0;
        foreach (var file in files)
        {
            var input = File.ReadAllBytes(file);
            var clock = Stopwatch.StartNew();
            long before = GC.GetTotalAllocatedBytes(precise: true);
            string outcome;
            bool kept;
            try
            {
                outcome = $"digit of {preparer.Prepare(input).Length} bytes";
                kept = true;
            }
            catch (DigitPreparationException ex)
            {
                outcome = $"refused ({ex.Failure}): {ex.Message}";
                kept = ex.Failure is not (PreparationFailure.TooSlow or PreparationFailure.Unavailable);
            }
#pragma warning disable CA1031 // the point is to report whatever escapes
            catch (Exception ex)
#pragma warning restore CA1031
            {
                outcome = $"CONTRACT BROKEN: {ex}";
                kept = false;
            }
            long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            if (allocated > ImageLimits.ManagedBytesPerImage && kept)
            {
                outcome = $"CONTRACT BROKEN: more memory allocated than an image may; {outcome}";
                kept = false;
            }
            if (!kept) broken++;
            Console.WriteLine($"{file} ({input.Length} bytes, {clock.ElapsedMilliseconds} ms, {allocated:N0} bytes allocated): {outcome}");
        }
        return broken == 0 ? 0 : 1;
    }
}
