#!/bin/sh
# Stands in for a llama-server that cannot start: answers --help, then fails at start-up.
case "$1" in
  --help) printf -- '-t, --threads N\n-c, --ctx-size N\n-np, --parallel N\n--host HOST\n--port PORT\n'; exit 0 ;;
  --version) echo "version: 1 (exits)" >&2; exit 0 ;;
esac
echo "llama_model_load: error loading model: tensor 'token_embd.weight' has wrong shape" >&2
exit 1
