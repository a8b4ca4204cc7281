#!/usr/bin/env bash
# One-node SLURM on this (Debian) machine, with accounting, then a real run of the pipeline
# through `--executor slurm` compared by sha256 with a local run. Not part of CI (.ci/run).
#
#   sudo tools/slurm-local.sh up                 # install (apt) and start munge, MariaDB, slurmdbd, slurmctld, slurmd
#   tools/slurm-local.sh run [CONFIG]            # local run and SLURM run of CONFIG (default: config/config.yaml)
#                                                # into /tmp/iouq-slurm/{local,slurm}, then compare every CSV by sha256
#   sudo tools/slurm-local.sh down               # stop the daemons started by `up` (pid files; MariaDB by mysqladmin)
#
# Daemons are started directly (no systemd needed, e.g. in a container); state lives under
# /var/lib/iouq-slurm and /run/iouq-slurm. The plugin (snakemake-executor-plugin-slurm) reads
# job states with sacct, hence slurmdbd.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PY:-$REPO/.venv/bin/python}"
STATE=/var/lib/iouq-slurm
RUN=/run/iouq-slurm
WORK="${WORK:-/tmp/iouq-slurm}"
HOST="$(hostname -s)"
CPUS="$(nproc)"
MEM_MB="$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)"

up() {
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q slurm-wlm slurmdbd munge mariadb-server >/dev/null
    mkdir -p "$STATE"/{ctld,d,dbd} "$RUN" /var/log/slurm /etc/slurm /run/munge
    # munge: a key, then the daemon
    [ -s /etc/munge/munge.key ] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null; }
    chown munge:munge /etc/munge/munge.key /run/munge; chmod 400 /etc/munge/munge.key
    pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
    # MariaDB for slurmdbd
    if ! mysqladmin ping >/dev/null 2>&1; then
        mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
        [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql >/dev/null
        (mysqld_safe --user=mysql >/dev/null 2>&1 &)
        for _ in $(seq 60); do mysqladmin ping >/dev/null 2>&1 && break; sleep 1; done
    fi
    mysql -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
              CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'iouq-local';
              GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
    cat > /etc/slurm/slurmdbd.conf <<CONF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=slurm
PidFile=$RUN/slurmdbd.pid
LogFile=/var/log/slurm/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=iouq-local
StorageLoc=slurm_acct_db
CONF
    chown slurm:slurm /etc/slurm/slurmdbd.conf "$STATE"/{ctld,d,dbd} /var/log/slurm; chmod 600 /etc/slurm/slurmdbd.conf
    cat > /etc/slurm/slurm.conf <<CONF
ClusterName=iouq
SlurmctldHost=$HOST
AuthType=auth/munge
SlurmUser=slurm
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobAcctGatherType=jobacct_gather/linux
JobCompType=jobcomp/none
MpiDefault=none
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=main Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
    pgrep -x slurmdbd >/dev/null || /usr/sbin/slurmdbd
    for _ in $(seq 30); do sacctmgr -n show cluster >/dev/null 2>&1 && break; sleep 1; done
    sacctmgr -i add cluster iouq >/dev/null 2>&1 || true
    sacctmgr -i add account iouq Cluster=iouq >/dev/null 2>&1 || true
    sacctmgr -i add user "$(id -un)" Account=iouq >/dev/null 2>&1 || true
    pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
    pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
    for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -qE "idle|mix" && break; sleep 1; done
    sinfo
    sacct -n -X -S now-1hour >/dev/null && echo "slurm-local: up (accounting works)"
}

down() {
    for pid in "$RUN"/slurmd.pid "$RUN"/slurmctld.pid "$RUN"/slurmdbd.pid; do
        [ -s "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
    done
    mysqladmin shutdown 2>/dev/null || true
    [ -s /run/munge/munged.pid ] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
    echo "slurm-local: stopped slurmd, slurmctld, slurmdbd, MariaDB and munged"
}

run() {
    local config="${1:-$REPO/config/config.yaml}"
    rm -rf "$WORK"; mkdir -p "$WORK"/{local,slurm}
    for d in local slurm; do mkdir -p "$WORK/$d/config"; cp "$REPO/config/config.yaml" "$WORK/$d/config/config.yaml"; done
    local t0 t1 t2
    t0=$(date +%s)
    (cd "$WORK/local" && "$PY" -m snakemake --snakefile "$REPO/Snakefile" --cores "$CPUS" --configfile "$config" >run.log 2>&1)
    t1=$(date +%s)
    (cd "$WORK/slurm" && "$PY" -m snakemake --snakefile "$REPO/Snakefile" --profile "$REPO/profiles/slurm" \
        --configfile "$config" --default-resources slurm_account=iouq slurm_partition=main >run.log 2>&1)
    t2=$(date +%s)
    echo "local run $((t1 - t0)) s, slurm run $((t2 - t1)) s"
    sacct -n -X -S now-3hours --format=JobID,JobName%30,State,Elapsed | tail -n 5
    (cd "$WORK/local" && find results -name '*.csv' -print0 | sort -z | xargs -0 sha256sum) >"$WORK/local.sha256"
    (cd "$WORK/slurm" && find results -name '*.csv' -print0 | sort -z | xargs -0 sha256sum) >"$WORK/slurm.sha256"
    if diff -q "$WORK/local.sha256" "$WORK/slurm.sha256" >/dev/null; then
        echo "slurm-local: $(wc -l <"$WORK/local.sha256") CSV files, identical sha256 (local vs --executor slurm)"
    else
        echo "slurm-local: CSVs differ:"; diff "$WORK/local.sha256" "$WORK/slurm.sha256" | head -20; return 1
    fi
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    run) shift; run "$@" ;;
    *) sed -n '2,14p' "$0"; exit 2 ;;
esac
