#!/usr/bin/env bash
# Builds redkit's libFuzzer targets with clang (ASan + UBSan) from only the
# sources each needs, then runs each for a bounded time, starting from its
# seed corpus in tests/fuzz/corpus/<target>/.
#
#   tests/fuzz/build_and_run.sh [BUILD_DIR]      (default build-fuzz)
#
# FUZZ_SECONDS  seconds of fuzzing per target (default 10). 0 only replays
#               each target's corpus once: a quick regression check.
# FUZZ_JOBS     targets run at the same time (default 2).
# FUZZ_SEED     libFuzzer's -seed: a number makes the inputs tried the same on
#               every run (CI uses 1, so it fails only for a real finding
#               reachable from that seed); unset or "random" draws a new seed
#               each run, for whoever is hunting.
#
# Fuzzing first runs every input of the corpus, then mutates.
#
# Exits non-zero when a target finds anything (crash, sanitizer report,
# timeout, memory limit), naming the target and the input that caused it. The
# seed corpus is only read; new inputs go to a working copy in BUILD_DIR.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-build-fuzz}
mkdir -p "$build"
build=$(cd "$build" && pwd)
seconds=${FUZZ_SECONDS:-10}
jobs=${FUZZ_JOBS:-2}
seed=${FUZZ_SEED:-random}
if ! [[ $seconds =~ ^[0-9]+$ && $jobs =~ ^[1-9][0-9]*$ && ($seed == random || $seed =~ ^[1-9][0-9]*$) ]]; then
  echo "fuzz: FUZZ_SECONDS must be a whole number, FUZZ_JOBS at least 1, FUZZ_SEED a positive number or 'random'" >&2
  exit 2
fi

# --- packages -----------------------------------------------------------------
"$root/scripts/bootstrap.sh" clang-14 libclang-rt-14-dev libfmt-dev

# --- build --------------------------------------------------------------------
cxx=clang++-14
common=(-std=c++20 -O1 -g -fno-omit-frame-pointer -Wall -Wextra -Wno-unused-function
        -fsanitize=address,undefined -fno-sanitize-recover=undefined
        -I"$root/include" -I"$root/src" -I"$root/tools/redkit")

# Sources of the library the targets link, compiled once each.
codec=(src/ts/codec/block_codec.cpp src/ts/codec/decimal_values.cpp src/ts/codec/rice_coder.cpp
       src/ts/codec/timestamp_stream.cpp src/ts/codec/varint.cpp)
declare -A target_sources=(
  [chunk_decoder]="${codec[*]}"
  [codec_round_trip]="${codec[*]}"
  [duration]="src/common/duration.cpp"
  [url]="src/client/url.cpp src/common/duration.cpp"
  [label_filter]="src/ts/label_filter.cpp"
  [csv_import]="tools/redkit/csv_samples.cpp"
)
targets=(chunk_decoder codec_round_trip duration url label_filter csv_import)

object_of() {  # source path relative to the root -> object path
  local name=${1//\//_}
  echo "$build/obj/${name%.cpp}.o"
}

sources=()
for target in "${targets[@]}"; do
  read -ra these <<<"${target_sources[$target]}"
  sources+=("${these[@]}" "tests/fuzz/${target}_fuzz.cpp")
done
mapfile -t sources < <(printf '%s\n' "${sources[@]}" | sort -u)

mkdir -p "$build/obj" "$build/bin"
start=$SECONDS
echo "fuzz: compiling ${#sources[@]} sources with $cxx"
# Coverage instrumentation everywhere (fuzzer-no-link); libFuzzer's main is
# added when linking. Each xargs call gets "source -o object".
for source in "${sources[@]}"; do
  printf '%s\0-o\0%s\0' "$root/$source" "$(object_of "$source")"
done | xargs -0 -n3 -P"$jobs" "$cxx" "${common[@]}" -fsanitize=fuzzer-no-link -c

for target in "${targets[@]}"; do
  read -ra these <<<"${target_sources[$target]}"
  objects=()
  for source in "${these[@]}" "tests/fuzz/${target}_fuzz.cpp"; do
    objects+=("$(object_of "$source")")
  done
  "$cxx" "${common[@]}" -fsanitize=fuzzer "${objects[@]}" -lfmt -o "$build/bin/${target}_fuzz"
done
echo "fuzz: built ${#targets[@]} targets in $((SECONDS - start)) s"

# --- run ----------------------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Runs one target, its output to $build/logs/<target>.log.
run_target() {
  local target=$1 binary="$build/bin/${1}_fuzz" seeds="$here/corpus/$1"
  local log="$build/logs/$target.log" artifacts="$build/findings/$target/"
  mkdir -p "$artifacts"
  local options=(-timeout=5 -rss_limit_mb=2048 -artifact_prefix="$artifacts" -print_final_stats=1)
  if ((seconds == 0)); then
    # Replay: each seed once, no mutation.
    local files=()
    [[ -d $seeds ]] && mapfile -t files < <(find "$seeds" -type f | sort)
    if ((${#files[@]} == 0)); then
      echo "no seeds" >"$log"
      return 0
    fi
    "$binary" "${options[@]}" "${files[@]}" >"$log" 2>&1
  else
    local work="$build/corpus/$target"
    rm -rf "$work"
    mkdir -p "$work"
    [[ -d $seeds ]] && find "$seeds" -type f -exec cp -t "$work" {} +
    [[ $seed != random ]] && options+=(-seed="$seed")
    "$binary" "${options[@]}" -max_total_time="$seconds" "$work" >"$log" 2>&1
  fi
}

mkdir -p "$build/logs"
rm -rf "$build/findings"
if ((seconds == 0)); then
  echo "fuzz: replaying the corpus of each target"
else
  echo "fuzz: running each target for $seconds s, $jobs at a time, seed $seed"
fi
declare -A running=()  # pid -> target
failed=()
finish_one() {
  local pid status=0
  wait -n -p pid "${!running[@]}" || status=$?
  local target=${running[$pid]}
  unset "running[$pid]"
  if ((status == 0)); then
    local runs
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$build/logs/$target.log" | grep -oE '[0-9]+$' || true)
    echo "fuzz: $target ok (${runs:-?} runs)"
  else
    failed+=("$target")
    echo "fuzz: $target FAILED (exit $status); log: $build/logs/$target.log" >&2
    tail -n 40 "$build/logs/$target.log" >&2
    local artifact
    for artifact in "$build/findings/$target"/*; do
      [[ -e $artifact ]] && echo "fuzz: $target: input that fails: $artifact" >&2
    done
  fi
}
start=$SECONDS
for target in "${targets[@]}"; do
  while ((${#running[@]} >= jobs)); do finish_one; done
  run_target "$target" &
  running[$!]=$target
done
while ((${#running[@]} > 0)); do finish_one; done
echo "fuzz: ran ${#targets[@]} targets in $((SECONDS - start)) s"

if ((${#failed[@]} > 0)); then
  echo "fuzz: findings in ${failed[*]}; rerun one with $build/bin/<target>_fuzz <input>" >&2
  exit 1
fi
