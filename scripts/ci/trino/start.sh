#!/usr/bin/env bash
# Starts the test Trino server (installed by install.sh) on 127.0.0.1 with its config
# generated from templates/ into a state directory, waits until it takes queries and
# prints its env lines. A server already running from the same state directory is
# reused, so concurrent callers get one server.
#
# Catalogs: delta and iceberg on the S3-compatible test server (CONTROLROOM_TEST_S3_*,
# as printed by scripts/services/s3-server.sh), the Iceberg JDBC catalog in the test
# Postgres (CONTROLROOM_TEST_DATABASE_URL; without it there is no iceberg catalog),
# memory, and tpch.
#
# Environment:
#   CONTROLROOM_TRINO_STATE_DIR  config, data, logs, pid  default $TMPDIR/controlroom-trino-$UID
#   CONTROLROOM_TRINO_HEAP       the JVM's -Xmx           default 2G
#   CONTROLROOM_TEST_S3_ENDPOINT, _REGION, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY, _BUCKET
#   CONTROLROOM_TEST_DATABASE_URL  postgres://user[:password]@host:port/database
#   (and install.sh's variables)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

state_dir="${CONTROLROOM_TRINO_STATE_DIR:-${TMPDIR:-/tmp}/controlroom-trino-$(id -u)}"
mkdir -p "$state_dir"
# Test workers may call this at the same time: the first starts, the others wait and reuse.
exec 9>"$state_dir/start.lock"
flock 9

if [ -f "$state_dir/pid" ] && [ -f "$state_dir/env" ] && kill -0 "$(cat "$state_dir/pid")" 2>/dev/null; then
  cat "$state_dir/env"
  exit 0
fi

missing=$(trino_missing)
[ -z "$missing" ] || die "$missing"
: "${CONTROLROOM_TEST_S3_ENDPOINT:?the S3 test server is needed: set CONTROLROOM_TEST_S3_ENDPOINT (scripts/services/s3-server.sh start prints it)}"

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}
random_hex() { node -e "console.log(require('crypto').randomBytes($1).toString('hex'))"; }

rm -rf "$state_dir/etc" "$state_dir/data" "$state_dir/tls" "$state_dir/auth" "$state_dir/env" "$state_dir/pid"
mkdir -p "$state_dir/etc/catalog" "$state_dir/data" "$state_dir/tls" "$state_dir/auth"
started=$(date +%s)

# Values the templates use ({{NAME}} → TRINO_TPL_NAME).
export TRINO_TPL_STATE_DIR="$state_dir"
export TRINO_TPL_RUN_ID="$(random_hex 6)"
export TRINO_TPL_HEAP="${CONTROLROOM_TRINO_HEAP:-2G}"
export TRINO_TPL_HTTP_PORT="$(free_port)"
export TRINO_TPL_HTTPS_PORT="$(free_port)"
export TRINO_TPL_SHARED_SECRET="$(random_hex 32)"
export TRINO_TPL_S3_ENDPOINT="$CONTROLROOM_TEST_S3_ENDPOINT"
export TRINO_TPL_S3_REGION="${CONTROLROOM_TEST_S3_REGION:-us-east-1}"
export TRINO_TPL_S3_ACCESS_KEY_ID="${CONTROLROOM_TEST_S3_ACCESS_KEY_ID:-controlroom}"
export TRINO_TPL_S3_SECRET_ACCESS_KEY="${CONTROLROOM_TEST_S3_SECRET_ACCESS_KEY:-controlroom-test-secret}"
export TRINO_TPL_S3_BUCKET="${CONTROLROOM_TEST_S3_BUCKET:-controlroom-test}"

render() {
  perl -pe 's/\{\{(\w+)\}\}/exists $ENV{"TRINO_TPL_$1"} ? $ENV{"TRINO_TPL_$1"} : die "$ARGV: no value for {{$1}}\n"/ge' "$1" >"$2"
}
for file in node.properties jvm.config config.properties log.properties password-authenticator.properties \
  catalog/delta.properties catalog/memory.properties catalog/tpch.properties; do
  render "$trino_dir/templates/$file" "$state_dir/etc/$file"
done

if [ -n "${CONTROLROOM_TEST_DATABASE_URL:-}" ]; then
  # One database per server in the test Postgres, holding the Iceberg JDBC catalog.
  database="controlroom_trino_$TRINO_TPL_RUN_ID"
  psql="${CONTROLROOM_POSTGRES_BIN:-/usr/lib/postgresql/15/bin}/psql"
  [ -x "$psql" ] || psql=psql
  "$psql" -q -v ON_ERROR_STOP=1 "$CONTROLROOM_TEST_DATABASE_URL" -c "CREATE DATABASE $database" >/dev/null
  catalog_url=$(node -e 'const u=new URL(process.argv[1]); u.pathname="/"+process.argv[2]; console.log(u.href)' \
    "$CONTROLROOM_TEST_DATABASE_URL" "$database")
  "$psql" -q -v ON_ERROR_STOP=1 "$catalog_url" -f "$trino_dir/templates/iceberg-jdbc-catalog.sql" >/dev/null
  eval "$(node -e '
    const u = new URL(process.argv[1]);
    const q = (s) => "\x27" + s.replaceAll("\x27", "\x27\\\x27\x27") + "\x27";
    console.log("export TRINO_TPL_ICEBERG_JDBC_URL=" + q(`jdbc:postgresql://${u.host}${u.pathname}`));
    console.log("export TRINO_TPL_ICEBERG_JDBC_USER=" + q(decodeURIComponent(u.username) || "postgres"));
    console.log("export TRINO_TPL_ICEBERG_JDBC_PASSWORD=" + q(decodeURIComponent(u.password)));
  ' "$catalog_url")"
  render "$trino_dir/templates/catalog/iceberg.properties" "$state_dir/etc/catalog/iceberg.properties"
else
  log "no CONTROLROOM_TEST_DATABASE_URL: starting without the iceberg catalog"
fi

# HTTPS: a self-signed certificate for 127.0.0.1 and localhost; Trino reads key and
# certificate from one PEM file, clients trust ca.pem.
openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=localhost" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -keyout "$state_dir/tls/key.pem" -out "$state_dir/tls/ca.pem" 2>/dev/null
cat "$state_dir/tls/key.pem" "$state_dir/tls/ca.pem" >"$state_dir/tls/server.pem"

# Password file (PBKDF2-HMAC-SHA1 as Trino's file authenticator reads it) and the JWT
# HMAC key (base64), both random per server.
password="$(random_hex 12)"
node -e '
  const { pbkdf2Sync, randomBytes } = require("crypto");
  const salt = randomBytes(16);
  const hash = pbkdf2Sync(process.argv[1], salt, 1000, 32, "sha1");
  console.log(`controlroom:1000:${salt.toString("hex")}:${hash.toString("hex")}`);
' "$password" >"$state_dir/auth/password.db"
node -e 'console.log(require("crypto").randomBytes(32).toString("base64"))' >"$state_dir/auth/jwt-hmac.key"

# `launcher run` stays in the foreground (exec's the JVM), so $! is the server and it
# stays in the caller's process group: a Ctrl-C of the test run stops it too. It must
# not inherit the lock (fd 9), or later callers would wait for it forever.
JAVA_HOME="$java_home" PATH="$java_home/bin:$PATH" "$server_home/bin/launcher" run \
  --etc-dir "$state_dir/etc" --data-dir "$state_dir/data" \
  >"$state_dir/server.log" 2>&1 </dev/null 9>&- &
pid=$!
echo "$pid" >"$state_dir/pid"

url="http://127.0.0.1:$TRINO_TPL_HTTP_PORT"
ready=0
for _ in $(seq 1 600); do
  if curl -fsS "$url/v1/info" 2>/dev/null | grep -q '"starting":false'; then ready=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.5
done
# "starting":false comes before the coordinator has registered itself as a worker node;
# a query in that window fails with "No nodes available to run query". So also wait
# until a query sees an active node.
if [ "$ready" = 1 ]; then
  ready=0
  for _ in $(seq 1 240); do
    if node "$trino_dir/active-nodes.mjs" "$url" 2>/dev/null; then ready=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
fi
if [ "$ready" != 1 ]; then
  tail -n 60 "$state_dir/server.log" >&2
  "$trino_dir/stop.sh" >/dev/null 2>&1 || true
  die "Trino did not become ready (log above; full log was $state_dir/server.log)"
fi

cat >"$state_dir/env" <<ENV
CONTROLROOM_TEST_TRINO_URL=$url
CONTROLROOM_TEST_TRINO_HTTPS_URL=https://127.0.0.1:$TRINO_TPL_HTTPS_PORT
CONTROLROOM_TEST_TRINO_CA_FILE=$state_dir/tls/ca.pem
CONTROLROOM_TEST_TRINO_USER=controlroom
CONTROLROOM_TEST_TRINO_PASSWORD=$password
CONTROLROOM_TEST_TRINO_JWT_KEY_FILE=$state_dir/auth/jwt-hmac.key
CONTROLROOM_TEST_TRINO_S3_BUCKET=$TRINO_TPL_S3_BUCKET
CONTROLROOM_TEST_TRINO_S3_ENDPOINT=$TRINO_TPL_S3_ENDPOINT
CONTROLROOM_TEST_TRINO_S3_REGION=$TRINO_TPL_S3_REGION
CONTROLROOM_TEST_TRINO_S3_ACCESS_KEY_ID=$TRINO_TPL_S3_ACCESS_KEY_ID
CONTROLROOM_TEST_TRINO_S3_SECRET_ACCESS_KEY=$TRINO_TPL_S3_SECRET_ACCESS_KEY
CONTROLROOM_TEST_TRINO_ICEBERG=$([ -f "$state_dir/etc/catalog/iceberg.properties" ] && echo 1 || echo 0)
CONTROLROOM_TEST_TRINO_ICEBERG_CATALOG_URL=${catalog_url:-}
CONTROLROOM_TEST_TRINO_VERSION=$TRINO_VERSION
ENV
log "Trino $TRINO_VERSION ready at $url in $(( $(date +%s) - started ))s"
cat "$state_dir/env"
