#!/usr/bin/env bash
# Make sure the real components the tests use are here:
#  - PostgreSQL on 127.0.0.1:5432 (started when installed but stopped);
#  - Debian's Chromium for the browser tests, and strace for the OCR no-network test
#    (installed with apt-get when missing and we are root).
# Tests that still lack one skip with a loud reason locally, and fail under CI=true.
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

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v strace >/dev/null 2>&1 || missing+=(strace)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "services: installing ${missing[*]} from Debian's packages"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") \
      >/tmp/fieldledger-apt.log 2>&1 \
      || echo "services: WARNING could not install ${missing[*]} (see /tmp/fieldledger-apt.log)"
  else
    echo "services: WARNING ${missing[*]} missing and not root: those tests will skip"
  fi
fi
exit 0
