#!/usr/bin/env bash
# Package.InstallAndConsumers (tests/package/CMakeLists.txt): installs the
# build into a temporary prefix with `cmake --install --strip`, checks that
# no installed file names the build or source tree, moves the prefix (an
# install must work wherever it is put), then from the moved prefix runs
# `semhash --version`, trains a deep encoder (the LibTorch module must be
# found beside the library), imports the Python module (when built) and
# builds and runs the two consumer projects of examples/ (find_package and
# pkg-config).
#
#   install_test.sh BUILD_DIR SOURCE_DIR WORK_DIR LIBDIR HAVE_TORCH
set -euo pipefail
build=$1 source=$2 work=$3 libdir=$4 have_torch=$5
fail() { echo "install_test: $*" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
cmake --install "$build" --prefix "$work/stage" --strip >"$work/install.log"

# Relocatable: no absolute path of the build or the source tree inside.
for tree in "$build" "$source"; do
  if grep -rlF "$tree" "$work/stage" >"$work/leaks"; then
    fail "installed files name $tree: $(tr '\n' ' ' <"$work/leaks")"
  fi
done
mv "$work/stage" "$work/prefix"
prefix=$work/prefix
unset CMAKE_PREFIX_PATH PKG_CONFIG_PATH LD_LIBRARY_PATH

version=$("$prefix/bin/semhash" --version)
[[ $version =~ ^semhash\ [0-9]+\.[0-9]+\.[0-9]+\ \(database\ format\ [0-9]+\)$ ]] ||
  fail "semhash --version printed '$version'"
echo "$version"

if [ "$have_torch" = ON ]; then
  # 200 seeded 64-byte rows to train on (a uint8 .npy).
  "$build/tools/semhash_make_codes" --out "$work/features.npy" --n 200 --bits 512 \
    >/dev/null
  "$prefix/bin/semhash" train --input "$work/features.npy" \
    --out "$work/model" --encoder autoencoder --image-shape none \
    --hidden 32 --epochs 1 --threads 1 --address-bits 8 --code-bits 64 \
    --quiet || fail "the installed semhash did not train an autoencoder"
  [ -s "$work/model" ] || fail "no model written"
  echo "trained an autoencoder with the installed LibTorch module"
fi

# The Python module, when the build has it: its extension finds
# libsemhash.so in the moved prefix.
python_dir=$prefix/lib/python3/dist-packages
if [ -d "$python_dir/semhash" ]; then
  PYTHONPATH=$python_dir /usr/bin/python3 -c "import semhash, numpy as np
with semhash.IndexBinarySemhash(64) as index:
    index.add(np.arange(80, dtype=np.uint8).reshape(10, 8))
    D, I = index.search(np.arange(8, dtype=np.uint8).reshape(1, 8), 1)
    assert I[0, 0] == 0 and D[0, 0] == 0, (D, I)
print('import semhash from the moved prefix:', semhash.__version__)" ||
    fail "the installed Python module does not work"
fi

cmake -S "$source/examples/consumer-cmake" -B "$work/consumer-cmake" \
  -DCMAKE_PREFIX_PATH="$prefix" >"$work/consumer-cmake.log"
cmake --build "$work/consumer-cmake" >>"$work/consumer-cmake.log"
"$work/consumer-cmake/exact_search" "$work/cmake.db"

mkdir -p "$work/consumer-pkgconfig"
PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig" \
  make -s -C "$source/examples/consumer-pkgconfig" OUT="$work/consumer-pkgconfig"
LD_LIBRARY_PATH="$prefix/$libdir" \
  "$work/consumer-pkgconfig/radius_search" "$work/pkgconfig.db"
