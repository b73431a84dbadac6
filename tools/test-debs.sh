#!/usr/bin/env bash
# Builds semhash's Debian packages (cpack -G DEB) from a configured and built
# tree and installs them into a clean Debian 12 root made by debootstrap,
# then runs there, as a machine that never built semhash would:
# `semhash --version`, the training of a deep encoder (the LibTorch module
# package), `import semhash` (python3-semhash), and the two consumer
# projects of examples/ (find_package and pkg-config) against the installed
# -dev package.
#
#   tools/test-debs.sh [BUILD_DIR]      (default: build; run as root)
#
# By hand, not in CI: debootstrap and the packages' dependencies (LibTorch's
# among them) come from Debian's mirror; about 5 minutes here (debootstrap
# 1.5, apt-get install 2.5, the consumers 1). Set
# SEMHASH_DEB_MIRROR for another mirror, SEMHASH_DEB_KEEP=1 to keep the root.
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(realpath "${1:-build}")
mirror=${SEMHASH_DEB_MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" = 0 ] || { echo "test-debs.sh: run as root (debootstrap, chroot)" >&2; exit 2; }
[ -f "$build/CPackConfig.cmake" ] || { echo "test-debs.sh: $build is not a configured build tree" >&2; exit 2; }

work=$(mktemp -d /tmp/semhash-debs.XXXXXX)
root=$work/root
cleanup() {
  umount "$root/dev/pts" "$root/proc" 2>/dev/null || true
  if [ "${SEMHASH_DEB_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
step() { echo "== $(date +%T) $*"; }

step "cpack -G DEB"
cpack --config "$build/CPackConfig.cmake" -B "$work/debs" >"$work/cpack.log" ||
  { cat "$work/cpack.log" >&2; exit 1; }
ls -l "$work"/debs/*.deb
for deb in "$work"/debs/*.deb; do
  echo "-- $(basename "$deb"):"; dpkg-deb -f "$deb" Package Depends Suggests
done

step "debootstrap bookworm (minbase) from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }
mount -t proc proc "$root/proc"
mount -t devpts devpts "$root/dev/pts"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/tmp/semhash"
cp "$work"/debs/*.deb "$root/tmp/semhash/"
cp -r examples/consumer-cmake examples/consumer-pkgconfig "$root/tmp/semhash/"
# 200 seeded 64-byte rows to train on (a uint8 .npy).
"$build/tools/semhash_make_codes" --out "$root/tmp/semhash/features.npy" --n 200 --bits 512 \
  >/dev/null
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  DEBIAN_FRONTEND=noninteractive HOME=/root bash -euo pipefail -c "$1"; }

step "apt-get install ./*.deb"
in_root "apt-get update -qq && cd /tmp/semhash &&
  apt-get install -y -qq --no-install-recommends ./*.deb >/tmp/semhash/apt.log" ||
  { tail -30 "$root/tmp/semhash/apt.log" >&2; exit 1; }
step "semhash --version; semhash train --encoder autoencoder"
in_root "semhash --version && cd /tmp/semhash &&
  semhash train --input features.npy --out model --encoder autoencoder \
    --image-shape none --hidden 32 --epochs 1 --threads 1 --address-bits 8 \
    --code-bits 64 --quiet && test -s model"

step "import semhash (python3-semhash)"
in_root "cd /tmp && python3 -c 'import semhash, numpy as np
with semhash.IndexBinarySemhash(64) as index:
    index.add(np.arange(80, dtype=np.uint8).reshape(10, 8))
    D, I = index.search(np.arange(8, dtype=np.uint8).reshape(1, 8), 1)
    assert I[0, 0] == 0 and D[0, 0] == 0, (D, I)
print(\"import semhash\", semhash.__version__, \"from\", semhash.__file__)'"

step "the consumer projects against /usr"
in_root "apt-get install -y -qq --no-install-recommends g++ cmake make pkg-config >/dev/null &&
  cd /tmp/semhash &&
  cmake -S consumer-cmake -B cmake-build >/dev/null && cmake --build cmake-build >/dev/null &&
  cmake-build/exact_search /tmp/semhash/cmake.db &&
  make -s -C consumer-pkgconfig OUT=/tmp/semhash &&
  /tmp/semhash/radius_search /tmp/semhash/pkgconfig.db"
step "all passed"
