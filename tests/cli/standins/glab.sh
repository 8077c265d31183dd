#!/bin/sh
# Stand-in for GitLab's `glab`: issues are folders under
# $STANDIN_STATE/glab, answers are glab's own (the URL on create; the
# API's issue JSON on `view -F json`).
PATH=$STANDIN_SYSTEM_PATH
d="$STANDIN_STATE/glab"
mkdir -p "$d"
if [ "$1 $2" = "auth login" ]; then
  rm -f "$d/logged-out"
  printf 'Logged in\n' >&2
  exit 0
fi
if [ -e "$d/logged-out" ]; then
  printf 'ERROR: 401 Unauthorized. Run `glab auth login` to authenticate.\n' >&2
  exit 1
fi
if [ "$1" != issue ]; then printf 'unknown command "%s" for "glab"\n' "$1" >&2; exit 1; fi
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
      *) printf 'unknown flag: %s\n' "$1" >&2; exit 1 ;;
    esac
  done
  n=$(( $(cat "$d/last" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$d/last"
  mkdir -p "$d/$n"
  printf '%s' "$title" > "$d/$n/title"
  printf '%s' "$body" > "$d/$n/body"
  printf '%s' "$label" > "$d/$n/label"
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
      *) printf 'unknown flag: %s\n' "$1" >&2; exit 1 ;;
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
