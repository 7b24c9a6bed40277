#!/bin/sh
# Stands in for an old server build whose --help lacks --parallel.
case "$1" in
  --help) printf -- '-t, --threads N\n-c, --ctx-size N\n--host HOST\n--port PORT\n'; exit 0 ;;
esac
exit 1
