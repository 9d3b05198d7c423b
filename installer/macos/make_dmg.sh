#!/usr/bin/env bash
# Make a .dmg from the .app that installer/build.py froze (macOS only: needs hdiutil).
# Usage: installer/macos/make_dmg.sh build/dist/ptclock.app build/ptclock-0.1.0.dmg
set -euo pipefail
app=${1:?path to ptclock.app}
dmg=${2:?path of the .dmg to write}
staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"   # drag-to-install
rm -f "$dmg"
hdiutil create -volname ptclock -srcfolder "$staging" -fs HFS+ -format UDZO "$dmg"
echo "wrote $dmg"
