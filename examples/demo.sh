#!/usr/bin/env bash
# Builds a demo repository from the example records, one commit each, then
# carries one more incident through the CLI.
# Usage: examples/demo.sh [DIR]   (default: a new temporary directory)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
devops=${DEVOPS:-devops}
dir=${1:-$(mktemp -d)}
mkdir -p "$dir" && cd "$dir"
git init -q -b main
git config user.name "${DEMO_NAME:-Demo User}"
git config user.email "${DEMO_EMAIL:-demo@example.com}"
mkdir -p postmortems
cat > postmortems/config.toml <<'TOML'
severities = ["SEV1", "SEV2", "SEV3", "SEV4"]
services = ["payments", "card-gateway", "auth", "web", "search"]
timezone = "+09:00"

[review_days]
SEV1 = 3
SEV2 = 5
default = 10

[[people]]
name = "Bob Lee"
email = "bob@example.com"
handle = "bob"

[[people]]
name = "이지은"
email = "jieun@example.com"
handle = "jieun"

[[people]]
name = "김민수"
email = "minsu@example.com"
handle = "minsu"
TOML
git add postmortems/config.toml
git commit -q -m "postmortem: team config"
for record in "$here"/records/*.toml; do
  id=$(basename "$record" .toml)
  month_dir="postmortems/${id:3:4}/${id:7:2}"
  mkdir -p "$month_dir"
  cp "$record" "$month_dir/"
  git add "$month_dir/$id.toml"
  git commit -q -m "postmortem: import $id" -m "Postmortem-Id: $id
Postmortem-Action: import"
done
"$devops" postmortem assign d7kq jieun >/dev/null

echo "$dir"
