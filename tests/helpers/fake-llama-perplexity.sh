#!/bin/sh
# Stands in for llama-perplexity in tests: prints a real llama-perplexity log (the fixtures) on
# stderr, as the real program does, whatever the arguments (with --kl-divergence: the KL log).
# FAKE_PERPLEXITY_FIXTURES names the fixture directory (the script may be copied elsewhere).
dir="${FAKE_PERPLEXITY_FIXTURES:-$(dirname "$0")/../fixtures/perplexity}"
log="$dir/llama-perplexity-tiny-f32.log"
for a in "$@"; do [ "$a" = "--kl-divergence" ] && log="$dir/llama-perplexity-kld-tiny-tq2_0.log"; done
cat "$log" >&2
