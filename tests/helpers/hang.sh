#!/bin/sh
# A program that never finishes (and has a child of its own): the timeout must kill the group.
echo "starting" >&2
sleep 600
