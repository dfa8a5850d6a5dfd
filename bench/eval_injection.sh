#!/usr/bin/env bash
# Evaluates reagent's injection filter on every *.jsonl corpus in a folder (default: the
# corpora shipped in sanitizer/corpora) and prints per-file detection / false-positive rates
# with 95 % Wilson intervals, as Markdown.
#   bench/eval_injection.sh BUILD_DIR [FOLDER] [--source user|tool|history|document] [--show-errors]
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR [FOLDER] [reagent scan flags...]" >&2
  exit 2
fi
build_dir=$1
shift
here=$(cd "$(dirname "$0")/.." && pwd)
folder="$here/sanitizer/corpora"
if [[ $# -gt 0 && $1 != --* ]]; then
  folder=$1
  shift
fi
exec "$build_dir/bin/reagent" scan --eval "$folder" "$@"
