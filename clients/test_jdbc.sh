#!/usr/bin/env bash
# pgjdbc from Debian's libpostgresql-jdbc-java, driven by clients/jdbc/TestJdbc.java.
# usage: clients/test_jdbc.sh PORT   (compiles into $OA_CLIENTS_CACHE/jdbc)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=/usr/share/java/postgresql.jar
[ -f "$jar" ] || { echo "pgjdbc missing: apt-get install libpostgresql-jdbc-java" >&2; exit 1; }
out=${OA_CLIENTS_CACHE:-${CARGO_TARGET_DIR:-$here/../target}/clients}/jdbc
mkdir -p "$out"
javac -d "$out" "$here/jdbc/TestJdbc.java"
java -cp "$jar:$out" TestJdbc "$1"
