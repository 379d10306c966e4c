#!/usr/bin/env bash
# Runs the PyTorch reference and Apprentice's e2e runner on the same behaviour-cloning cases, at 1
# and 2 threads, in one go; keeps the raw JSON lines under bench/results/<date>/ and prints a
# table of ours vs PyTorch per case (also written to summary.md there).
#
#   bench/compare-pytorch.sh [--reps 7] [--rep-seconds 0.6] [--rounds 1] [--cases all] [--threads "1 2"] [--no-gemm]
#
# Run it on a quiet machine: other processes on the same cores distort both sides, unevenly.
# --rounds R repeats the whole interleaved sequence R times and the table takes each side's
# median over rounds: on a VM whose speed drifts over seconds, one slow window then hits both
# sides' rounds alike instead of deciding a ratio.
set -euo pipefail

reps=7 rep_seconds=0.6 rounds=1 cases=all threads="1 2" gemm=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps) reps=$2; shift 2 ;;
    --rep-seconds) rep_seconds=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --no-gemm) gemm=0; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "compare-pytorch.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  echo "compare-pytorch.sh: --rounds must be a whole number ≥ 1; got '$rounds'" >&2
  exit 2
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
project="$repo/bench/Apprentice.Benchmarks"
python=/usr/bin/python3                    # Debian's python, which sees python3-torch; not a version manager's shim

# The reference lives beside the repository (../shared/bench from the main checkout); worktrees sit
# one level deeper, so look upwards. TORCH_REFERENCE overrides.
reference=${TORCH_REFERENCE:-}
if [[ -z "$reference" ]]; then
  dir=$repo
  while [[ "$dir" != / ]]; do
    dir=$(dirname "$dir")
    if [[ -f "$dir/shared/bench/torch_bc_reference.py" ]]; then reference="$dir/shared/bench/torch_bc_reference.py"; break; fi
  done
fi
if [[ -z "$reference" || ! -f "$reference" ]]; then
  echo "compare-pytorch.sh: torch_bc_reference.py not found above $repo (looked for shared/bench/torch_bc_reference.py); set TORCH_REFERENCE" >&2
  exit 1
fi

if ! "$python" -c 'import torch, numpy' 2>/dev/null; then
  echo "Installing python3-torch and python3-numpy (Debian packages) ..." >&2
  sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update
  "${sudo_cmd[@]}" apt-get install -y python3-torch python3-numpy
fi
# Debian's torch calls whatever libblas.so.3 the alternatives system points at; without OpenBLAS
# that is the netlib reference BLAS, ~15x slower on the MLP cases than PyTorch's best here. Compare
# against PyTorch's best configuration: make sure OpenBLAS is there (the shared README's figures use it).
if ! "$python" -c 'import ctypes; ctypes.CDLL("libopenblas.so.0")' 2>/dev/null; then
  echo "Installing libopenblas0-pthread so PyTorch's BLAS is OpenBLAS ..." >&2
  sudo_cmd=(); [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get install -y libopenblas0-pthread
fi

out="$repo/bench/results/$(date +%Y-%m-%d_%H%M%S)"
mkdir -p "$out"
echo "Results in $out" >&2
{
  echo "date: $(date -Iseconds)"
  echo "host: $(uname -srm); cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'); cores: $(nproc)"
  echo "commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "settings: reps $reps, rep-seconds $rep_seconds, rounds $rounds, cases $cases, threads $threads"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/machine.txt"

dotnet build "$project" -c Release -v quiet -nologo >&2
run_ours() { dotnet run -c Release --no-build --project "$project" -- "$@"; }

# Interleave the two sides per thread count, so a change in machine load hits both.
for r in $(seq 1 "$rounds"); do
  for t in $threads; do
    echo "Round $r of $rounds: PyTorch, $t thread(s) ..." >&2
    OPENBLAS_CORETYPE=SkylakeX "$python" "$reference" --threads "$t" --reps "$reps" --rep-seconds "$rep_seconds" \
      --cases "$cases" --out "$out/torch_t${t}_r$r.jsonl" > /dev/null
    echo "Round $r of $rounds: Apprentice, $t thread(s) ..." >&2
    APPRENTICE_NUM_THREADS=$t run_ours e2e --threads "$t" --reps "$reps" --rep-seconds "$rep_seconds" \
      --cases "$cases" --out "$out/apprentice_t${t}_r$r.jsonl" > /dev/null
  done
done

gemm_files=()
if [[ $gemm -eq 1 ]]; then
  : > "$out/gemm.txt"
  for r in $(seq 1 "$rounds"); do
    echo "Round $r of $rounds: GEMM and FMA peak ..." >&2
    echo "Round $r of $rounds" >> "$out/gemm.txt"
    run_ours gemm --threads "$(echo $threads | tr ' ' ',')" --out "$out/gemm_r$r.jsonl" | tee -a "$out/gemm.txt" >&2
    echo "Round $r of $rounds: OpenBLAS sgemm ..." >&2
    echo >> "$out/gemm.txt"
    OPENBLAS_CORETYPE=SkylakeX "$python" "$repo/bench/openblas_gemm.py" --threads "$(echo $threads | tr ' ' ',')" \
      --reps "$reps" --rep-seconds "$rep_seconds" --out "$out/openblas_r$r.jsonl" | tee -a "$out/gemm.txt" >&2
    echo >> "$out/gemm.txt"
    gemm_files+=("$out/gemm_r$r.jsonl" "$out/openblas_r$r.jsonl")
  done
fi
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"

{
  cat "$out/machine.txt"
  echo
  echo "Rates are medians over reps and rounds (steps/s for training, calls/s for inference); ours/PyTorch compares each side's best thread count."
  echo "Inference: 'forward' is no-grad forward on a prepared tensor; 'rollout' is our float[] → action against PyTorch's numpy round trip."
  echo
} > "$out/summary.md"
run_ours compare "$out"/torch_t*.jsonl "$out"/apprentice_t*.jsonl ${gemm_files[@]+"${gemm_files[@]}"} | tee -a "$out/summary.md"
echo >&2
echo "Raw JSON lines and summary.md: $out" >&2
