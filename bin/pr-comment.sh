#!/usr/bin/env bash
# One pull-request comment with the cost change, updated in place on every push (as infracost's
# recipe does). Needs the GitHub CLI (`gh`, authenticated by GH_TOKEN) and, from the workflow,
# PR (the pull request's number) and REPO (owner/name). Usage:
#   INFERCOST="npx --yes infercost@0.1.0" PR=123 REPO=me/mine bin/pr-comment.sh base.json head.json
# The comment starts with a marker line, so the next run finds and edits it instead of adding one.
set -euo pipefail
marker='<!-- infercost-cost-diff -->'
base="$1"
head="$2"
# diff exits 1 when --fail-above trips; the comment is posted either way.
body="$marker"$'\n'"$(${INFERCOST:-npx --yes infercost} diff "$base" "$head" --format markdown || true)"
id="$(gh api "repos/$REPO/issues/$PR/comments" --paginate \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)"
if [ -n "$id" ]; then
  gh api -X PATCH "repos/$REPO/issues/comments/$id" -f body="$body" >/dev/null
  echo "updated comment $id"
else
  gh api -X POST "repos/$REPO/issues/$PR/comments" -f body="$body" >/dev/null
  echo "created a comment on #$PR"
fi
