#!/bin/sh
# Stands in for a llama-server that never becomes ready (listens nowhere), with a child of its
# own: the launcher must kill the whole group. Writes its pid to $FAKE_SERVER_PIDFILE.
case "$1" in
  --help) printf -- '-t, --threads N\n-c, --ctx-size N\n-np, --parallel N\n--host HOST\n--port PORT\n'; exit 0 ;;
  --version) exit 0 ;;
esac
[ -n "$FAKE_SERVER_PIDFILE" ] && echo $$ > "$FAKE_SERVER_PIDFILE"
sleep 300 &
echo "loading model..." >&2
wait
