#!/usr/bin/env bash
# make-sparse-image.sh SOURCE.sav OUT.sav SIZE
# Copies SOURCE's header, data region and stream, then extends the file to SIZE
# (e.g. 16G) as a hole: a multi-GiB save image that costs no disk space.
set -euo pipefail
src=$1 out=$2 size=$3
cp --sparse=always "$src" "$out"
truncate -s "$size" "$out"
