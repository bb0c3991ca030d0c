#!/usr/bin/env bash
# Writes the seed corpus fuzz/corpus/ anew: one small "7" in every variant of every accepted format (the harness's
# --write-seeds), plus a progressive JPEG made from the baseline one by jpegtran (Debian's libjpeg-turbo-progs),
# since ImageSharp 2.1 writes only baseline JPEG. The corpus is committed; run this only to change it.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v jpegtran >/dev/null; then
  apt-get install -y libjpeg-turbo-progs >/dev/null
fi
rm -rf fuzz/corpus
dotnet build fuzz/LeNet5.Fuzz -c Release --nologo -v quiet
dotnet fuzz/LeNet5.Fuzz/bin/Release/net10.0/LeNet5.Fuzz.dll --write-seeds fuzz/corpus
jpegtran -progressive -copy none -outfile fuzz/corpus/progressive.jpg fuzz/corpus/baseline.jpg
jpegtran -progressive -copy none -outfile fuzz/corpus/progressive-grey.jpg fuzz/corpus/grey.jpg
ls -l fuzz/corpus
