#!/usr/bin/env bash
# Bring up what the test suite talks to, or fail saying what is missing:
# Redis on 127.0.0.1:6379, PostgreSQL on 127.0.0.1:5432 with a login for the test role
# (user postgres, no password, database test), ClamAV's clamscan for scan_for_virus and javac
# for the Java tests of map_deploy_to_develop, Chromium and chromedriver for the web pages.
# Installs the Debian packages when they are absent (as root). Exits non-zero when Redis or
# PostgreSQL cannot be brought up, so that CI never goes green by skipping their tests.
# SCANAPP_CI_PG_PORT names another port (the cluster there must already run).
set -u
PG_USER=postgres
PG_DATABASE=test
PG_PORT=${SCANAPP_CI_PG_PORT:-5432}

log() { echo "services: $*" >&2; }

install_missing() {
  local missing=()
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  ls /etc/postgresql >/dev/null 2>&1 || missing+=(postgresql)
  command -v clamscan >/dev/null 2>&1 || missing+=(clamav)
  command -v javac >/dev/null 2>&1 || missing+=(default-jdk-headless)
  # Source and binary inspection add-ons (collect_symbols_ctags, collect_strings_gettext) and
  # the gcc -g that builds the ELF of the inspect_elf_binaries test.
  command -v ctags >/dev/null 2>&1 || missing+=(universal-ctags)
  command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
  command -v gcc >/dev/null 2>&1 || missing+=(gcc)
  # The disk images of the analyze_root_filesystem_or_vm_image tests (qemu-img, mke2fs).
  command -v qemu-img >/dev/null 2>&1 || missing+=(qemu-utils)
  command -v mke2fs >/dev/null 2>&1 || missing+=(e2fsprogs)
  # The web pages' browser tests: Debian's headless Chromium and its WebDriver.
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      log "installing ${missing[*]}"
      apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      log "not root: cannot install ${missing[*]}"
    fi
  fi
}

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
pg_up() { pg_isready -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null; }
pg_login() { psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -w -Atc "SELECT 1" >/dev/null 2>&1; }

start_services() {
  if ! redis_up && command -v redis-server >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  fi
  if ! pg_up && ls /etc/postgresql >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start \
      || log "PostgreSQL cluster main did not start"
  fi
  for _ in $(seq 1 30); do
    redis_up && pg_up && return 0
    sleep 1
  done
}

# A fresh Debian cluster asks TCP clients for a password (scram) and local ones for peer
# authentication: let the test role in from loopback without one, as the suite expects.
allow_test_login() {
  pg_login && return 0
  [ "$(id -u)" = 0 ] || { log "not root: cannot set up PostgreSQL login for $PG_USER"; return 1; }
  local hba
  hba=$(su postgres -c "psql -p $PG_PORT -Atc 'SHOW hba_file'" 2>/dev/null) || return 1
  log "allowing $PG_USER from 127.0.0.1 and ::1 without a password in $hba"
  { printf 'host all %s 127.0.0.1/32 trust\nhost all %s ::1/128 trust\n' "$PG_USER" "$PG_USER"
    cat "$hba"; } > "$hba.scanapp" && cat "$hba.scanapp" > "$hba" && rm -f "$hba.scanapp"
  su postgres -c "psql -p $PG_PORT -Atc 'SELECT pg_reload_conf()'" >/dev/null
  sleep 1
  pg_login
}

install_missing
start_services
status=0
redis_up || { log "Redis does not answer on 127.0.0.1:6379"; status=1; }
if ! pg_up; then
  log "PostgreSQL does not answer on 127.0.0.1:$PG_PORT"; status=1
elif ! allow_test_login; then
  log "PostgreSQL refuses $PG_USER from 127.0.0.1"; status=1
else
  psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -Atc \
    "SELECT 1 FROM pg_database WHERE datname='$PG_DATABASE'" | grep -q 1 \
    || createdb -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" "$PG_DATABASE" || status=1
fi
command -v clamscan >/dev/null 2>&1 || log "clamscan is not installed: scan_for_virus tests skip"
for tool in ctags xgettext gcc; do
  command -v "$tool" >/dev/null 2>&1 || log "$tool is not installed: the source inspection tests skip"
done
exit $status
