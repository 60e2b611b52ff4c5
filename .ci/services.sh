#!/usr/bin/env bash
# Start Redis and PostgreSQL when they are not running (install them first if absent);
# install ClamAV's clamscan (for scan_for_virus) when absent.
set -u
need_install=()
command -v redis-server >/dev/null 2>&1 || need_install+=(redis-server)
ls /etc/postgresql >/dev/null 2>&1 || need_install+=(postgresql)
command -v clamscan >/dev/null 2>&1 || need_install+=(clamav)
if [ ${#need_install[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need_install[@]}" >/dev/null
fi
if ! (redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG); then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
for _ in $(seq 1 30); do
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && pg_isready -h 127.0.0.1 -p 5432 -q && break
  sleep 1
done
psql -h 127.0.0.1 -U postgres -tc "SELECT 1 FROM pg_database WHERE datname='test'" 2>/dev/null | grep -q 1 \
  || createdb -h 127.0.0.1 -U postgres test 2>/dev/null || true
exit 0
