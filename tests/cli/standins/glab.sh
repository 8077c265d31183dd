#!/bin/sh
# Stand-in for GitLab's `glab`: issues are folders under
# $STANDIN_STATE/glab, answers are glab's own (the URL on create; the
# API's issue JSON on `view -F json`).
tool=glab login='auth login' logged_out_code=1
logged_out='ERROR: 401 Unauthorized. Run `glab auth login` to authenticate.'
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
      --description|-d) body=$2; shift 2 ;;
      --label|-l) label=$2; shift 2 ;;
      --yes|-y) shift ;;
      *) unknown_flag "$1" ;;
    esac
  done
  next_number
  keep_issue "$n"
  printf '%s' "$repo" > "$d/$n/repo"
  echo opened > "$d/$n/state"
  printf '\nCreating issue in %s\n' "$repo" >&2
  printf 'https://gitlab.com/%s/-/issues/%s\n' "$repo" "$n"
  ;;
view)
  n=$1
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --repo|-R) repo=$2; shift 2 ;;
      --output|-F) format=$2; shift 2 ;;
      *) unknown_flag "$1" ;;
    esac
  done
  if [ ! -d "$d/$n" ]; then printf 'ERROR: 404 Not Found\n' >&2; exit 1; fi
  closed=null
  by=null
  if [ -s "$d/$n/closed_at" ]; then
    closed="\"$(cat "$d/$n/closed_at")\""
    by="{\"id\":7,\"username\":\"$(cat "$d/$n/closed_by")\",\"name\":\"Closer\"}"
  fi
  printf '{"id":9%s,"iid":%s,"project_id":3,"state":"%s","closed_at":%s,"closed_by":%s,"web_url":"https://gitlab.com/%s/-/issues/%s"}\n' \
    "$n" "$n" "$(cat "$d/$n/state")" "$closed" "$by" "$repo" "$n"
  ;;
close)
  n=$1
  echo closed > "$d/$n/state"
  printf '%s' "${STANDIN_CLOSED_AT:-2026-11-30T12:00:00.000Z}" > "$d/$n/closed_at"
  printf '%s' "${STANDIN_ACTOR:-carol}" > "$d/$n/closed_by"
  printf 'Closed issue #%s\n' "$n"
  ;;
reopen)
  n=$1
  echo opened > "$d/$n/state"
  rm -f "$d/$n/closed_at" "$d/$n/closed_by"
  ;;
*)
  printf 'unknown command "%s" for "glab issue"\n' "$cmd" >&2
  exit 1
  ;;
esac
