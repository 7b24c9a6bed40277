#!/usr/bin/env bash
# Builds the .deb and .tar.gz with CPack from a build tree and checks that the .deb holds the
# binary, the desktop file, the AppStream file and the icon, and declares its Depends.
set -euo pipefail
BUILD=${1:-build}
cd "$BUILD"
rm -f ternbench_*.deb ternbench-*.tar.gz
cpack -G "DEB;TGZ" >/dev/null
deb=$(ls ternbench_*.deb | head -n1)
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/ternbench ./usr/share/applications/ternbench.desktop \
         ./usr/share/metainfo/io.github.ternbench.metainfo.xml \
         ./usr/share/icons/hicolor/scalable/apps/ternbench.svg; do
  grep -q " $f\$" <<<"$contents" || { echo "check-package: $deb lacks $f" >&2; exit 1; }
done
depends=$(dpkg-deb -f "$deb" Depends)
[ -n "$depends" ] || { echo "check-package: $deb has no Depends" >&2; exit 1; }
ls ternbench-*.tar.gz >/dev/null
echo "check-package: $deb ok"
echo "  Depends: $depends"
