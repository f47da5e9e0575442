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
# The hostile tests: strace (fault injection, kill -9 at each system call),
# util-linux (mount a tmpfs for ENOSPC, setpriv to drop root), coreutils
# (timeout, sha256sum, truncate); python3 for the fuzz seeds (scripts/fuzz-smoke.sh).
for tool in gzip:gzip xz:xz-utils bzip2:bzip2 zstd:zstd lzop:lzop strace:strace setpriv:util-linux mount:mount \
        timeout:coreutils sha256sum:coreutils truncate:coreutils python3:python3; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool#*:}")
done
# The tests validate every --json output against schema/saveimg-output.schema.json
# with scripts/validate-json.py (Python's reference JSON Schema validator).
python3 -c 'import jsonschema' >/dev/null 2>&1 || need+=(python3-jsonschema)
if [ ${#need[@]} -gt 0 ]; then
    echo "install-deps: installing ${need[*]}" >&2
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
