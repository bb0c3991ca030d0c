#!/usr/bin/env bash
# Builds and runs the TorchSharp peer (see README.md here), passing its options on:
#   bench/LeNet5.TorchSharpPeer/run.sh [--threads N] [--span SECONDS] [--c3 table|full] [--data DIR]
# The first build restores TorchSharp-cpu 0.107.0 (about 600 MB from the NuGet feed). After every build
# the copy of libLibTorchSharp.so in the build output gets its GLIBCXX_3.4.32 need marked weak (see
# relax-glibcxx.py), so the peer loads on a libstdc++ older than GCC 13's (Debian 12: 3.4.30).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/bin/Release/net10.0"
dotnet build "$here/LeNet5.TorchSharpPeer.csproj" -c Release -v quiet -nologo >&2
native="$out/runtimes/linux-x64/native/libLibTorchSharp.so"
if [ -f "$native" ]; then python3 "$here/relax-glibcxx.py" "$native" >&2; fi
exec dotnet "$out/LeNet5.TorchSharpPeer.dll" "$@"
