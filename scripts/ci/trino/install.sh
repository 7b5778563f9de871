#!/usr/bin/env bash
# Installs the pinned Trino server for the tests: downloads the io.trino:trino-server
# tarball from Maven Central (once: it stays in the cache), checks its SHA-1 and unpacks
# the launcher, the libraries and the few plugins the tests use. Does nothing when it is
# already installed, so CI can call it on every run.
#
#   install.sh          install when missing
#   install.sh --check  exit 1 and say what is missing (Java or the server), install nothing
#
# Environment:
#   CONTROLROOM_TRINO_CACHE_DIR  download and unpacked server  default ~/.cache/controlroom/trino
#   CONTROLROOM_TRINO_JAVA_HOME  a Java 24+ home               default /usr/lib/jvm/temurin-25-jdk-amd64
#   CONTROLROOM_MAVEN_URL        Maven repository              default https://repo1.maven.org/maven2
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if [ "${1:-}" = "--check" ]; then
  missing=$(trino_missing)
  [ -z "$missing" ] || die "$missing"
  echo "$server_home"
  exit 0
fi

if [ -f "$server_home/.complete" ]; then
  log "Trino $TRINO_VERSION already installed in $server_home"
  exit 0
fi
mkdir -p "$cache_dir"
# Two CI jobs (or test runs) on one machine must not download into the same place at once.
exec 9>"$cache_dir/install.lock"
flock 9
if [ -f "$server_home/.complete" ]; then
  log "Trino $TRINO_VERSION installed by another process"
  exit 0
fi

started=$(date +%s)
if [ ! -f "$tarball" ] || [ "$(sha1sum "$tarball" | cut -d' ' -f1)" != "$TRINO_SHA1" ]; then
  url="$maven_url/io/trino/trino-server/$TRINO_VERSION/trino-server-$TRINO_VERSION.tar.gz"
  log "downloading $url (about 800 MB)…"
  curl -fsSL --retry 3 -o "$tarball.part" "$url" || die "download failed: $url"
  actual=$(sha1sum "$tarball.part" | cut -d' ' -f1)
  [ "$actual" = "$TRINO_SHA1" ] || { rm -f "$tarball.part"; die "SHA-1 mismatch: got $actual, want $TRINO_SHA1"; }
  mv "$tarball.part" "$tarball"
fi

log "unpacking; keeping the plugins $TRINO_PLUGINS"
rm -rf "$server_home" "$server_home.tmp"
mkdir -p "$server_home.tmp"
# Plugins share jars through hard links to other plugins' directories, so unpack all
# of it and then delete the plugins we do not use (the links keep the shared files).
tar -xzf "$tarball" -C "$server_home.tmp" --strip-components=1
for dir in "$server_home.tmp"/plugin/*; do
  case " $TRINO_PLUGINS " in *" $(basename "$dir") "*) ;; *) rm -rf "$dir" ;; esac
done
touch "$server_home.tmp/.complete"
mv "$server_home.tmp" "$server_home"

missing=$(trino_missing)
[ -z "$missing" ] || log "installed, but cannot run yet: $missing"
log "installed Trino $TRINO_VERSION in $server_home in $(( $(date +%s) - started ))s"
