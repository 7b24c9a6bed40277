#!/bin/sh
# A program that exits 0 but prints something that is not llama-bench JSON.
echo "ggml_init: whatever"
echo "[{ this is not json"
