# Sourced by the bench scripts that compare two builds side by side:
#   source "$here/builds.bash"; builds_from_args "$@"   → builds=(BUILD [OTHER_BUILD])
#   make_work_dir                                       → $work, removed when the script exits
# Default build/release; each must have bin/reagent.
builds_from_args() {
  builds=("${1:-build/release}")
  [ $# -ge 2 ] && builds+=("$2")
  local b
  for b in "${builds[@]}"; do
    [ -x "$b/bin/reagent" ] || { echo "no $b/bin/reagent: build it first" >&2; exit 2; }
  done
}

# A scratch directory for the run's inputs and outputs, in $work; removed on exit.
make_work_dir() {
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
}
