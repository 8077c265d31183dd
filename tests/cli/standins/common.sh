# What the stand-ins share, sourced by each with $tool (its name), $login
# (the words that log it in), $logged_out (what it says when logged out)
# and $logged_out_code set: its state folder, logging in and out, a hang,
# and keeping a new issue.
PATH=$STANDIN_SYSTEM_PATH
d="$STANDIN_STATE/$tool"
mkdir -p "$d"
if [ "$*" = "$login" ]; then
  rm -f "$d/logged-out"
  printf 'Logged in\n' >&2
  exit 0
fi
if [ -e "$d/logged-out" ]; then
  printf '%s\n' "$logged_out" >&2
  exit "$logged_out_code"
fi
if [ -e "$d/hang" ]; then sleep 30; fi
if [ "$1" != issue ]; then
  printf 'unknown command "%s" for "%s"\n' "$1" "$tool" >&2
  exit 1
fi

# next_number: sets $n to the next issue number, and keeps it.
next_number() {
  n=$(( $(cat "$d/last" 2>/dev/null || echo 0) + 1 ))
  echo "$n" > "$d/last"
}

# keep_issue KEY: keeps $title, $body and $label of the issue KEY.
keep_issue() {
  mkdir -p "$d/$1"
  printf '%s' "$title" > "$d/$1/title"
  printf '%s' "$body" > "$d/$1/body"
  printf '%s' "$label" > "$d/$1/label"
}

# unknown_flag FLAG: what the CLIs say, and their exit code.
unknown_flag() {
  printf 'unknown flag: %s\n' "$1" >&2
  exit 1
}
