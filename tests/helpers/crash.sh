#!/bin/sh
# A program that dies from a signal, like a segfaulting llama-bench.
echo "about to crash" >&2
kill -SEGV $$
