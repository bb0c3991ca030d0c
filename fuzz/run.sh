#!/usr/bin/env bash
# Coverage-guided fuzzing of DigitImagePreparer.Prepare with afl-fuzz and SharpFuzz (docs/fuzzing.md).
#
#   fuzz/run.sh [--seconds N] [--out DIR] [--no-imagesharp] [-- more afl-fuzz options]
#
#   --seconds N       how long afl-fuzz runs (-V N); default 3600
#   --out DIR         where the instrumented build (DIR/harness) and afl-fuzz's findings (DIR/findings) go;
#                     default artifacts/fuzz (ignored by git). An existing DIR/findings is resumed.
#   --no-imagesharp   instrument LeNet5.Imaging.dll alone; by default the decoders of ImageSharp
#                     (namespace SixLabors.ImageSharp.Formats) are instrumented too, since JPEG, GIF, BMP and WebP
#                     are decoded there and afl-fuzz would otherwise see nothing of them.
#
# Installs what it needs when missing: Debian's afl++ (apt-get, as root) and SharpFuzz.CommandLine 2.3.0 in .tools/.
# afl-fuzz runs on one core; the findings are DIR/findings/default/{crashes,hangs,queue} and the figures
# DIR/findings/default/fuzzer_stats.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

seconds=3600
out=artifacts/fuzz
imagesharp=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-imagesharp) imagesharp=0; shift ;;
    --) shift; break ;;
    *) echo "fuzz/run.sh: unknown option $1 (see the head of this script)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)

sharpfuzz_version=2.3.0
if ! command -v afl-fuzz >/dev/null; then
  apt-get update -qq && apt-get install -y -qq afl++ >/dev/null
fi
sharpfuzz=$repo/.tools/sharpfuzz
if [[ ! -x $sharpfuzz ]]; then
  dotnet tool install --tool-path "$repo/.tools" SharpFuzz.CommandLine --version "$sharpfuzz_version" >/dev/null
fi

# A fresh Release build of the harness, instrumented in place: instrumenting an assembly twice fails.
harness=$out/harness
rm -rf "$harness"
dotnet publish fuzz/LeNet5.Fuzz/LeNet5.Fuzz.csproj -c Release -o "$harness" --nologo -v quiet
echo "instrumenting LeNet5.Imaging.dll"
"$sharpfuzz" "$harness/LeNet5.Imaging.dll"
if [[ $imagesharp == 1 ]]; then
  echo "instrumenting SixLabors.ImageSharp.dll (SixLabors.ImageSharp.Formats only)"
  "$sharpfuzz" "$harness/SixLabors.ImageSharp.dll" SixLabors.ImageSharp.Formats
fi

# dotnet is not an AFL-instrumented binary (the instrumentation is in the assemblies it loads): skip afl-fuzz's check.
export AFL_SKIP_BIN_CHECK=1
# this machine's CPU governor and core_pattern are not ours to change
export AFL_SKIP_CPUFREQ=1
export AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
# bind to a free core when there is one, and run anyway when there is not
export AFL_TRY_AFFINITY=1
# a resumed run continues where the last one stopped
export AFL_AUTORESUME=1
# starting a dotnet child is slow: calibrate each new input fewer times
export AFL_FAST_CAL=1
# plain status lines when the output is not a terminal (a log file)
[[ -t 1 ]] || export AFL_NO_UI=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

exec afl-fuzz -i fuzz/corpus -o "$out/findings" -t 5000 -m none -V "$seconds" \
  -x fuzz/png.dict -x fuzz/images.dict "$@" \
  -- dotnet "$harness/LeNet5.Fuzz.dll"
