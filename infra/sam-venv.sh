#!/usr/bin/env bash
# Creates .venv-sam (AWS SAM CLI in its own venv: it pins its own boto3/botocore, which would
# clash with the dev venv) and installs aws-sam-cli from the lock file infra/requirements-sam.lock.
#
# Regenerate the lock after bumping infra/requirements-sam.in:
#   .venv/bin/uv pip compile infra/requirements-sam.in --python-version 3.11 -o infra/requirements-sam.lock
#
# Usage: bash infra/sam-venv.sh            # idempotent: does nothing when .venv-sam is up to date
#        then validate offline as below.
#
# Offline validation needs fake credentials and a region only (sam validate --lint runs cfn-lint
# locally and never calls AWS when the template has no unresolvable artifacts):
#   AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=eu-west-3 \
#   SAM_CLI_TELEMETRY=0 .venv-sam/bin/sam validate --lint --template template.yaml
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-sam"
LOCK="$ROOT/infra/requirements-sam.lock"
STAMP="$VENV/.lock.sha256"
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

want="$(sha256sum "$LOCK" | cut -d' ' -f1)"
if [[ -x "$VENV/bin/sam" && -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then
    exit 0
fi

if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON" -m venv "$VENV"
fi

UV="$ROOT/.venv/bin/uv"
if [[ -x "$UV" ]]; then
    # uv is much faster than pip; --python points it at the SAM venv, not the dev venv.
    "$UV" pip install --quiet --python "$VENV/bin/python" -r "$LOCK"
else
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$LOCK"
fi

echo "$want" > "$STAMP"
"$VENV/bin/sam" --version
