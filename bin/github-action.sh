#!/usr/bin/env bash
# The step of action.yml: `infercost check` on the inputs, its Markdown appended to the job's step
# summary, ::error annotations for failed claims (infercost writes them under GitHub Actions),
# and check's exit code as the step's (0 pass, 1 a claim failed, 2 misconfigured).
set -uo pipefail
args=()
while IFS= read -r claim; do
  [ -n "$claim" ] && args+=(--expect "$claim")
done <<< "${EXPECT:-}"
[ -n "${AGAINST:-}" ] && args+=(--against "$AGAINST")
# shellcheck disable=SC2086 # INFERCOST is a command line (npx --yes infercost@VERSION); WORKLOADS a list
out="$($INFERCOST check $WORKLOADS "${args[@]}" --format markdown)"
code=$?
printf '%s\n' "$out"
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then printf '%s\n' "$out" >> "$GITHUB_STEP_SUMMARY"; fi
exit "$code"
