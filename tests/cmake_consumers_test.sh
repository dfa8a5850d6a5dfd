#!/usr/bin/env bash
# The ways C++ projects consume reagent, each built for real (warnings are errors):
#   release       cmake -DCMAKE_BUILD_TYPE=Release (CMake's own -O3 flags) with
#                 -DREAGENT_BUILD_TESTS=OFF: the libraries, the executable and the mock server;
#                 then cmake --install, and examples/embed built with find_package(reagent)
#                 against the installed package, run.
#   subdirectory  a parent project with add_subdirectory(reagent), RelWithDebInfo with
#                 REAGENT_WERROR=ON, linking reagent::reagent: every library at -O2 -g.
#   fetchcontent  a parent project with FetchContent (a git clone of this repository at its
#                 HEAD commit; the working tree itself when it has uncommitted changes),
#                 linking one small layer.
# usage: tests/cmake_consumers_test.sh MODE SOURCE_DIR BUILD_DIR
# Work directories live in BUILD_DIR/consumers/MODE and are kept, so a rerun is incremental.
# Prints each step's time.
set -euo pipefail
mode=$1 src=$(cd "$2" && pwd) build=$(cd "$3" && pwd)
work="$build/consumers/$mode"
mkdir -p "$work"
jobs=${REAGENT_CONSUMER_JOBS:-2}

# Compiles share ccache entries across these directories when paths are made relative.
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$src}
fi

step() {
  local name=$1; shift
  local t0=$SECONDS
  if ! "$@" >"$work/$name.log" 2>&1; then
    echo "FAILED: $name ($*)"; tail -n 60 "$work/$name.log"; exit 1
  fi
  echo "$mode: $name ok in $((SECONDS - t0)) s"
}

case "$mode" in
  release)
    # Exactly what a user types (default generator, CMake's Release flags), minus the tests.
    step configure cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DREAGENT_BUILD_TESTS=OFF \
      -DREAGENT_BUILD_BENCH=OFF "${launcher[@]}"
    step build cmake --build "$work/build" -j "$jobs"
    "$work/build/bin/reagent" version >/dev/null
    rm -rf "$work/prefix"
    step install cmake --install "$work/build" --prefix "$work/prefix"
    step embed-configure cmake -S "$src/examples/embed" -B "$work/embed" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" "${launcher[@]}"
    step embed-build cmake --build "$work/embed" -j "$jobs"
    out=$("$work/embed/embed_example")
    echo "$out"
    grep -qF "embedded: 17*23 = 391" <<<"$out"
    ;;
  subdirectory)
    step configure cmake -S "$src/tests/cmake_consumer" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DREAGENT_VIA=subdirectory -DREAGENT_SOURCE="$src" -DREAGENT_WERROR=ON -DREAGENT_LINK=reagent::reagent \
      "${launcher[@]}"
    step build cmake --build "$work/build" -j "$jobs"
    "$work/build/consumer"
    ;;
  fetchcontent)
    fetch=(-DREAGENT_GIT_REPOSITORY="$src" -DREAGENT_GIT_TAG="$(git -C "$src" rev-parse HEAD)")
    if [ -n "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
      echo "$mode: uncommitted changes: FetchContent uses the working tree (FETCHCONTENT_SOURCE_DIR_REAGENT)"
      fetch+=(-DFETCHCONTENT_SOURCE_DIR_REAGENT="$src")
    else
      fetch+=(-UFETCHCONTENT_SOURCE_DIR_REAGENT)
    fi
    step configure cmake -S "$src/tests/cmake_consumer" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DREAGENT_VIA=fetchcontent "${fetch[@]}" "${launcher[@]}"
    step build cmake --build "$work/build" -j "$jobs"
    "$work/build/consumer"
    ;;
  *)
    echo "unknown mode $mode (release, subdirectory, fetchcontent)" >&2
    exit 2
    ;;
esac
