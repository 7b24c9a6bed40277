#!/bin/sh
# Leaves a grandchild in a session of its own (out of our process group) that keeps stderr
# open, writes its pid to $TB_PID_FILE, then hangs. The timeout must still end the run, and the
# grandchild must not outlive it.
setsid sh -c 'echo $$ > "${TB_PID_FILE:-/dev/null}"; exec sleep 301' >/dev/null &
sleep 300
