#!/usr/bin/env bash
# Installs the Debian packages the test suite drives as real peers and
# browsers: Chromium (browser runtime tests, interop, demo test), Python's
# websockets and wsproto (interop), and openssl (the HTTP/2 example server's
# self-signed certificate). Idempotent: does nothing when they are
# present. Run as root (CI is); otherwise it says what to install.
set -euo pipefail
packages=(chromium python3-websockets python3-wsproto openssl)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Install them: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update -qq
apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
