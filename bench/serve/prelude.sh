# Sourced by the serving benchmarks, from the repository's root: wrk (installed with apt when it is
# missing), the Release web app built, and a scratch folder $work, removed on exit once the app the
# script started ($server) is stopped.
command -v wrk >/dev/null || { apt-get -o DPkg::Lock::Timeout=120 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -qq wrk >/dev/null; }
dotnet build src/LeNet5.Web -c Release --nologo -v quiet >/dev/null
work=$(mktemp -d)
server=
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
