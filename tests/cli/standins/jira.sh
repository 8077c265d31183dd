#!/bin/sh
# Stand-in for ankitpokhrel/jira-cli's `jira`: issues are folders under
# $STANDIN_STATE/jira, answers are jira-cli's own (the browse URL on
# create; the API's issue JSON on `view --raw`).
tool=jira login=init logged_out_code=1
logged_out="Missing configuration file.
Run 'jira init' to configure the tool."
. "$STANDIN_LIB/common.sh"
cmd=$2
shift 2
project=OPS
case $cmd in
create)
  while [ $# -gt 0 ]; do
    case $1 in
      --project|-p) project=$2; shift 2 ;;
      --type|-t) type=$2; shift 2 ;;
      --summary|-s) title=$2; shift 2 ;;
      --body|-b) body=$2; shift 2 ;;
      --label|-l) label=$2; shift 2 ;;
      --no-input) shift ;;
      *) unknown_flag "$1" ;;
    esac
  done
  next_number
  key="$project-$n"
  keep_issue "$key"
  printf '%s' "$type" > "$d/$key/type"
  printf 'To Do' > "$d/$key/status"
  printf '\342\234\223 Issue created\nhttps://acme.atlassian.net/browse/%s\n' "$key"
  ;;
view)
  key=$1
  if [ ! -d "$d/$key" ]; then printf 'Error: issue does not exist\n' >&2; exit 1; fi
  status=$(cat "$d/$key/status")
  category=new
  resolution=null
  resolved=null
  if [ "$status" = Done ]; then
    category=done
    resolution="{\"name\":\"$(cat "$d/$key/resolution")\"}"
    resolved="\"$(cat "$d/$key/resolved_at")\""
  fi
  printf '{"key":"%s","fields":{"status":{"name":"%s","statusCategory":{"key":"%s"}},"resolution":%s,"resolutiondate":%s}}\n' \
    "$key" "$status" "$category" "$resolution" "$resolved"
  ;;
move)
  key=$1
  to=$2
  shift 2
  resolution=Done
  while [ $# -gt 0 ]; do
    case $1 in
      --comment) printf '%s' "$2" > "$d/$key/comment"; shift 2 ;;
      --resolution|-R) resolution=$2; shift 2 ;;
      *) unknown_flag "$1" ;;
    esac
  done
  printf '%s' "$to" > "$d/$key/status"
  if [ "$to" = Done ]; then
    printf '%s' "$resolution" > "$d/$key/resolution"
    printf '%s' "${STANDIN_CLOSED_AT:-2026-11-30T21:00:00.000+0900}" > "$d/$key/resolved_at"
  fi
  printf '\342\234\223 Issue transitioned to "%s"\n' "$to"
  ;;
*)
  printf 'unknown command "%s" for "jira issue"\n' "$cmd" >&2
  exit 1
  ;;
esac
