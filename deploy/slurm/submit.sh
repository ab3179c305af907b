#!/usr/bin/env bash
# Grade a class on a Slurm cluster: SHARDS array tasks, then one merge job once they all ended.
#   deploy/slurm/submit.sh 03_softmax_regression submitted/ 8
set -euo pipefail
ASSIGNMENT="${1:?usage: submit.sh ASSIGNMENT SUBMISSIONS [SHARDS]}"
SUBMISSIONS="${2:?usage: submit.sh ASSIGNMENT SUBMISSIONS [SHARDS]}"
SHARDS="${3:-8}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SBATCH="${KIT_SBATCH:-sbatch}"
mkdir -p out/logs
ARRAY="$("$SBATCH" --parsable --array="1-$SHARDS" "$HERE/grade-shard.sbatch" "$ASSIGNMENT" "$SUBMISSIONS")"
"$SBATCH" --parsable --dependency="afterany:${ARRAY%%;*}" "$HERE/merge.sbatch" "$ASSIGNMENT"
