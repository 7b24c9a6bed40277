#!/bin/sh
# Stands in for llama-bench in tests: prints a real llama-bench -o json output (the fixture),
# whatever the arguments. FAKE_LLAMA_BENCH_JSON overrides the file.
here=$(dirname "$0")
cat "${FAKE_LLAMA_BENCH_JSON:-$here/../fixtures/llama-bench/llamacpp-tiny-tq2_0.json}"
