#!/usr/bin/env bash
# Builds a demo repository: a team config, the example records (one commit
# each, as a teammate would), and a few changes through the CLI.
# Usage: examples/demo.sh [DIR]   (default: a new folder in the temp folder)
# The same as `devops postmortem demo [DIR]`, kept for scripts.
set -euo pipefail
exec "${DEVOPS:-devops}" postmortem demo "$@"
