#!/bin/sh
# Stand-in for GitHub's `gh`: issues are folders under $STANDIN_STATE/gh,
# answers are gh's own (the URL on create; `--json
# state,stateReason,closedAt,url` on view; exit 4 when logged out).
tool=gh login='auth login' logged_out_code=4
logged_out='To get started with GitHub CLI, please run:  gh auth login'
. "$STANDIN_LIB/common.sh"
cmd=$2
shift 2
repo=acme/api
case $cmd in
create)
  while [ $# -gt 0 ]; do
    case $1 in
      --repo|-R) repo=$2; shift 2 ;;
      --title|-t) title=$2; shift 2 ;;
      --body|-b) body=$2; shift 2 ;;
      --label|-l) label=$2; shift 2 ;;
      *) unknown_flag "$1" ;;
    esac
  done
  next_number
  keep_issue "$n"
  printf '%s' "$repo" > "$d/$n/repo"
  echo OPEN > "$d/$n/state"
  printf '\nCreating issue in %s\n\n' "$repo" >&2
  printf 'https://github.com/%s/issues/%s\n' "$repo" "$n"
  ;;
view)
  n=$1
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --repo|-R) repo=$2; shift 2 ;;
      --json) fields=$2; shift 2 ;;
      *) unknown_flag "$1" ;;
    esac
  done
  if [ ! -d "$d/$n" ] || [ "$(cat "$d/$n/repo")" != "$repo" ]; then
    printf 'GraphQL: Could not resolve to an issue or pull request with the number of %s. (repository.issue)\n' "$n" >&2
    exit 1
  fi
  closed=null
  if [ -s "$d/$n/closed_at" ]; then closed="\"$(cat "$d/$n/closed_at")\""; fi
  printf '{"closedAt":%s,"state":"%s","stateReason":"%s","url":"https://github.com/%s/issues/%s"}\n' \
    "$closed" "$(cat "$d/$n/state")" "$(cat "$d/$n/reason" 2>/dev/null)" "$repo" "$n"
  ;;
close)
  n=$1
  shift
  reason=COMPLETED
  while [ $# -gt 0 ]; do
    case $1 in
      --repo|-R) repo=$2; shift 2 ;;
      --comment|-c) printf '%s' "$2" > "$d/$n/comment"; shift 2 ;;
      --reason|-r)
        case $2 in
          completed) reason=COMPLETED ;;
          'not planned') reason=NOT_PLANNED ;;
          duplicate) reason=DUPLICATE ;;
          *) printf 'invalid argument "%s" for "-r, --reason"\n' "$2" >&2; exit 1 ;;
        esac
        shift 2 ;;
      *) unknown_flag "$1" ;;
    esac
  done
  echo CLOSED > "$d/$n/state"
  echo "$reason" > "$d/$n/reason"
  printf '%s' "${STANDIN_CLOSED_AT:-2026-11-30T12:00:00Z}" > "$d/$n/closed_at"
  printf '✓ Closed issue %s/#%s\n' "$repo" "$n" >&2
  ;;
reopen)
  n=$1
  echo OPEN > "$d/$n/state"
  echo REOPENED > "$d/$n/reason"
  rm -f "$d/$n/closed_at"
  ;;
*)
  printf 'unknown command "%s" for "gh issue"\n' "$cmd" >&2
  exit 1
  ;;
esac
