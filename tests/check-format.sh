#!/bin/sh
# Fails when any C file of the project differs from what clang-format (.clang-format) makes of it.
set -eu
cd "$1"
files=$(find hap gst plugins tools tests -name node_modules -prune -o \
  \( -name '*.c' -o -name '*.h' \) -print | sort)
[ -n "$files" ] || { echo "no C files found" >&2; exit 1; }
# shellcheck disable=SC2086
clang-format --dry-run -Werror $files
echo "$(echo "$files" | wc -l) files formatted"
