#!/usr/bin/env bash
# Make sure the real components the tests use are there: PostgreSQL on 127.0.0.1:5432.
# Starts the machine's cluster when it is installed but stopped. Tests that still cannot reach
# one skip with a loud reason locally, and fail under CI=true.
set -u
if command -v pg_isready >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "services: PostgreSQL is up on 127.0.0.1:5432"
elif command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
  pg_isready -h 127.0.0.1 -p 5432 || echo "services: WARNING PostgreSQL did not come up"
else
  echo "services: WARNING no PostgreSQL here; its tests will try a throwaway cluster or skip"
fi
exit 0
