# Shared by install.sh, start.sh and stop.sh: the pinned release, where it is cached and
# which Java runs it. Sourced, not run.

# The newest release the Maven Central mirror serves here. Trino 476 needs Java 24 or
# newer; the machines have Temurin 25 beside the default Java 17.
TRINO_VERSION=476
TRINO_SHA1=c9b38be4017ebd2f7095455aaac772fb40247ebe
TRINO_MIN_JAVA=24
# Only these plugins are unpacked: the tarball holds ~60 (800 MB); the tests need the
# table formats, an in-memory catalog, TPC-H data and the password file authenticator.
TRINO_PLUGINS="delta-lake iceberg memory tpch password-authenticators"

trino_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$trino_dir/../../.." && pwd)"
maven_url="${CONTROLROOM_MAVEN_URL:-https://repo1.maven.org/maven2}"
# Per machine, like the MinIO binary: a fresh clone reuses the 800 MB download.
cache_dir="${CONTROLROOM_TRINO_CACHE_DIR:-${CONTROLROOM_CACHE_DIR:-$HOME/.cache/controlroom}/trino}"
tarball="$cache_dir/trino-server-$TRINO_VERSION.tar.gz"
server_home="$cache_dir/trino-server-$TRINO_VERSION"
java_home="${CONTROLROOM_TRINO_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"

log() { echo "trino: $*" >&2; }
die() { log "$*"; exit 1; }

# Prints why Trino cannot run here (the missing piece), or nothing when it can.
trino_missing() {
  if [ ! -x "$java_home/bin/java" ]; then
    echo "Java $TRINO_MIN_JAVA+ not found at $java_home (set CONTROLROOM_TRINO_JAVA_HOME)"
    return
  fi
  local major
  major=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  if [ -z "$major" ] || [ "$major" -lt "$TRINO_MIN_JAVA" ]; then
    echo "Trino $TRINO_VERSION needs Java $TRINO_MIN_JAVA+, $java_home has Java ${major:-unknown}"
    return
  fi
  if [ ! -f "$server_home/.complete" ]; then
    echo "Trino $TRINO_VERSION is not installed in $server_home (run scripts/ci/trino/install.sh)"
  fi
}
