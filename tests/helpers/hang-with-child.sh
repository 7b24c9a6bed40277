#!/bin/sh
# A hung llama-bench with a child of its own: writes "its pid, the child's pid" to $TB_PID_FILE,
# then waits forever. Cancel, timeout and ternbench's death must end both.
sleep 600 &
echo "$$ $!" > "${TB_PID_FILE:-/dev/null}"
wait
