#!/usr/bin/env bash
# Installs the Debian packages saveimg builds against, if any is missing.
# Safe to run repeatedly; does nothing when everything is present.
set -euo pipefail
need=()
have_pc() { pkg-config --exists "$1" 2>/dev/null; }
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
have_pc libxml-2.0 || need+=(libxml2-dev)
have_pc zlib || need+=(zlib1g-dev)
have_pc liblzma || need+=(liblzma-dev)
have_pc libzstd || need+=(libzstd-dev)
have_pc libcrypto || need+=(libssl-dev)
have_pc libisal || need+=(libisal-dev)
[ -e /usr/include/bzlib.h ] || need+=(libbz2-dev)
for tool in gzip:gzip xz:xz-utils bzip2:bzip2 zstd:zstd lzop:lzop; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "install-deps: installing ${need[*]}" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
