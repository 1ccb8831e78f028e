#!/usr/bin/env bash
# Run the smoke preset through a real single-node SLURM on this machine (`make test-slurm`).
#
# Installs Debian's slurm-wlm and munge if missing, writes a slurm.conf for one node on
# 127.0.0.1 in a temporary folder (SLURM_CONF), starts its own munged, slurmctld and slurmd
# (own socket, ports, state and PID files: nothing of a system SLURM is touched), runs the
# smoke DAG with `--workflow-profile workflow/profiles/slurm` on the committed MNIST sample,
# checks the figures and that every submitted SLURM job ended COMPLETED with exit code 0,
# then cancels leftover jobs and stops the daemons it started, by PID, even on failure.
#
# Needs root (the daemons switch users), Debian/Ubuntu with apt reachable (only if the
# packages are missing) and the venv with the slurm extra (`pip install -e ".[test,slurm]"`).
# Environment: PY (python with snakemake, default .venv/bin/python), RBM_SLURM_TIMEOUT
# (seconds for the snakemake run, default 1500), RBM_SLURM_TARGETS (default: all),
# RBM_SLURM_KEEP=1 keeps the temp folder.
# Recipe and pitfalls: ../shared/recipes/local-slurm.md.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
PY="${PY:-$ROOT/.venv/bin/python}"
TIMEOUT="${RBM_SLURM_TIMEOUT:-1500}"
# Targets to build (default: the whole smoke DAG, rule all). A subset that still runs data,
# training, spectra and a figure: "figures/fig3_f.png figures/fig3_a.png" (10 jobs).
read -r -a TARGETS <<<"${RBM_SLURM_TARGETS:-all}"
T0=$(date +%s)

say() { echo "[test-slurm $(($(date +%s) - T0))s] $*"; }
fail() { say "FAIL: $*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (munged, slurmctld and slurmd switch users)"
"$PY" -c "import snakemake_executor_plugin_slurm" 2>/dev/null \
  || fail "$PY lacks snakemake-executor-plugin-slurm: pip install -e '.[test,slurm]'"

# -- install ---------------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
  || ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge (apt)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurm-wlm munge >/dev/null
fi
if [ ! -s /etc/munge/munge.key ]; then
  mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
fi

# -- a private cluster in a temp folder ---------------------------------------------------------
TMP="$(mktemp -d /tmp/rbm-slurm.XXXXXX)"
chmod 0755 "$TMP"
WORK="$TMP/work"
install -d -m 0755 "$TMP/etc" "$TMP/spool" "$WORK"
install -d -o munge -g munge -m 0755 "$TMP/munge"
install -d -o slurm -g slurm -m 0755 "$TMP/state" "$TMP/log" "$TMP/run"
export SLURM_CONF="$TMP/etc/slurm.conf"
# The slurm-jobstep plugin (0.6.x) drops every SLURM_* variable, SLURM_CONF included, before
# the `srun` inside each job, so srun only finds a config at the compiled-in default path.
# Link ours there for the duration of the test (never over a real cluster's file).
DEFAULT_CONF=/etc/slurm/slurm.conf
LINKED=0
SM_PID=""

cleanup() {
  local rc=$?
  set +e
  if [ -n "$SM_PID" ] && kill -0 "$SM_PID" 2>/dev/null; then
    say "stopping snakemake (process group $SM_PID)"
    kill -TERM -- "-$SM_PID"
    for _ in $(seq 75); do kill -0 "$SM_PID" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$SM_PID" 2>/dev/null
  fi
  if [ -f "$TMP/run/slurmctld.pid" ] && command -v squeue >/dev/null; then
    local left
    left="$(timeout 10 squeue -h -o %i 2>/dev/null | tr '\n' ' ')"
    if [ -n "${left// /}" ]; then
      say "cancelling leftover jobs: $left"
      # shellcheck disable=SC2086
      timeout 10 scancel $left
      sleep 3
    fi
  fi
  for name in slurmd slurmctld munged; do
    local pidfile
    case $name in
      munged) pidfile="$TMP/munge/munged.pid" ;;
      *) pidfile="$TMP/run/$name.pid" ;;
    esac
    [ -s "$pidfile" ] || continue
    local pid
    pid="$(cat "$pidfile")"
    kill -0 "$pid" 2>/dev/null || continue
    kill -TERM "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then say "$name ($pid) ignored SIGTERM: SIGKILL"; kill -KILL "$pid"; fi
  done
  if [ "$LINKED" = 1 ] && [ "$(readlink "$DEFAULT_CONF")" = "$SLURM_CONF" ]; then
    rm -f "$DEFAULT_CONF"
  fi
  if [ "$rc" != 0 ]; then
    for f in "$TMP"/log/slurmctld.log "$TMP"/log/slurmd.log; do
      [ -f "$f" ] && { echo "--- tail $f"; tail -n 20 "$f"; }
    done
  fi
  if [ "${RBM_SLURM_KEEP:-0}" = 1 ] || [ "$rc" != 0 ]; then
    say "kept $TMP"
  else
    rm -rf "$TMP"
  fi
  say "done (exit $rc)"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Two free TCP ports, so a system SLURM or a concurrent run is never disturbed.
read -r CTLD_PORT SLURMD_PORT < <("$PY" - <<'EOF'
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
EOF
)
CPUS="$(nproc)"
MEM_MB="$(awk '/MemTotal/ {print int($2 / 1024 * 0.9)}' /proc/meminfo)"

cat >"$SLURM_CONF" <<EOF
# Single-node test cluster written by tests/workflow/slurm/run_local_slurm.sh (no accounting).
ClusterName=rbmtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$TMP/munge/munge.socket
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/run/slurmctld.pid
SlurmdPidFile=$TMP/run/slurmd.pid
SlurmctldLogFile=$TMP/log/slurmctld.log
SlurmdLogFile=$TMP/log/slurmd.log
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# Without accounting, a job's final state is kept only here (one line per job) and for
# MinJobAge seconds in slurmctld; the plugin's squeue status checks need MinJobAge >= 3 x
# --slurm-init-seconds-before-status-checks, or it silently falls back to sacct (recipe);
# longer than the whole run, so that squeue still lists every job for the final check.
JobCompType=jobcomp/filetxt
JobCompLoc=$TMP/log/jobcomp.txt
MinJobAge=$((TIMEOUT + 600))
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF

if [ -L "$DEFAULT_CONF" ] && [[ "$(readlink "$DEFAULT_CONF")" == /tmp/rbm-slurm.* ]] \
  && [ ! -e "$DEFAULT_CONF" ]; then
  rm -f "$DEFAULT_CONF"  # left by an earlier run that was killed
fi
[ -e "$DEFAULT_CONF" ] || [ -L "$DEFAULT_CONF" ] \
  && fail "$DEFAULT_CONF exists (a real or running SLURM); this test needs that path"
install -d /etc/slurm
ln -s "$SLURM_CONF" "$DEFAULT_CONF"
LINKED=1

say "starting munged, slurmctld, slurmd (ports $CTLD_PORT, $SLURMD_PORT; $CPUS CPUs, $MEM_MB MB)"
runuser -u munge -- /usr/sbin/munged --socket="$TMP/munge/munge.socket" \
  --pid-file="$TMP/munge/munged.pid" --log-file="$TMP/munge/munged.log" \
  --seed-file="$TMP/munge/munged.seed"
munge --socket="$TMP/munge/munge.socket" -n | unmunge --socket="$TMP/munge/munge.socket" >/dev/null \
  || fail "munge does not work"
runuser -u slurm -- /usr/sbin/slurmctld -f "$SLURM_CONF"
/usr/sbin/slurmd -N localhost -f "$SLURM_CONF"

state=""
for _ in $(seq 60); do
  state="$(sinfo -h -N -o %t 2>/dev/null || true)"
  [ "$state" = idle ] && break
  sleep 0.5
done
[ "$state" = idle ] || fail "node not idle after 30 s (state '$state')"
say "node idle"

# -- the smoke DAG through the slurm executor ------------------------------------------------------
(cd "$ROOT/tests" && "$PY" -c "
import sys; from pathlib import Path; from conftest import write_override
write_override(Path(sys.argv[1]))" "$WORK")

say "snakemake --workflow-profile workflow/profiles/slurm (timeout ${TIMEOUT}s)"
# Status by squeue (no accounting here; a real cluster's sacct is the plugin's default).
# The profile's threads are sized for real nodes: here one core per training and AIS job,
# so that two run at once on a 2-core node (--max-threads caps any rule to the node's cores).
# In its own session (process group SM_PID), in the background, so that a signal to this
# script runs the cleanup at once and the cleanup can stop the whole run.
setsid timeout -k 10 "$TIMEOUT" "$PY" -m snakemake \
  --snakefile "$ROOT/Snakefile" --directory "$WORK" \
  --configfile "$ROOT/config.yaml" "$ROOT/workflow/presets/smoke.yaml" "$WORK/override.yaml" \
  --workflow-profile "$ROOT/workflow/profiles/slurm" \
  --jobs "$CPUS" --max-threads "$CPUS" --set-threads train_rbm=1 loglik=1 \
  --slurm-status-command squeue --slurm-init-seconds-before-status-checks 5 \
  --slurm-keep-successful-logs "${TARGETS[@]}" >"$TMP/snakemake.log" 2>&1 &
SM_PID=$!
rc=0
wait "$SM_PID" || rc=$?
SM_PID=""
SM_SECONDS=$(($(date +%s) - T0))
if [ "$rc" != 0 ]; then
  tail -n 60 "$TMP/snakemake.log"
  fail "snakemake exited with $rc"
fi
say "snakemake finished"

# -- checks ---------------------------------------------------------------------------------------
if [ "${TARGETS[*]}" = all ]; then
  expected=()
  for p in a b c d f; do expected+=("figures/fig3_$p.pdf" "figures/fig3_$p.png"); done
else
  expected=("${TARGETS[@]}")
fi
for f in "${expected[@]}"; do [ -s "$WORK/$f" ] || fail "missing $f"; done
for f in "$WORK"/figures/*; do
  case "$f" in
    *.pdf) head -c 4 "$f" | grep -q "%PDF" || fail "$f is not a PDF" ;;
    *.png) head -c 4 "$f" | grep -q "PNG" || fail "$f is not a PNG" ;;
  esac
done
grep -q "steps (100%) done" "$TMP/snakemake.log" || fail "snakemake did not report 100% done"
n_jobs="$(grep -c "Job .* has been submitted with SLURM jobid" "$TMP/snakemake.log" || true)"
# every job of a non-local rule went to SLURM; local rules (download, table merges) did not
n_planned="$(grep -c "^rule " "$TMP/snakemake.log" || true)"
n_local="$(grep -c "^localrule " "$TMP/snakemake.log" || true)"
[ "$n_jobs" = "$n_planned" ] && [ "$n_jobs" -ge 5 ] \
  || fail "$n_jobs jobs submitted to SLURM, $n_planned planned for it"
grep -q "^localrule download_mnist:" "$TMP/snakemake.log" \
  || fail "download_mnist did not run where Snakemake runs (compute nodes may lack internet)"
n_logs="$(find "$WORK/.snakemake/slurm_logs" -name '*.log' | wc -l)"
[ "$n_logs" = "$n_jobs" ] || fail "$n_logs SLURM job logs for $n_jobs jobs"
# Final states: the jobcomp record of every job (sacct needs an accounting database).
n_done="$(grep -c "JobState=COMPLETED" "$TMP/log/jobcomp.txt" || true)"
n_bad="$(grep -vc "JobState=COMPLETED" "$TMP/log/jobcomp.txt" || true)"
[ "$n_done" = "$n_jobs" ] && [ "$n_bad" = 0 ] \
  || { cat "$TMP/log/jobcomp.txt"; fail "$n_done of $n_jobs jobs COMPLETED, $n_bad other states"; }
grep -q "ExitCode=0:0" "$TMP/log/jobcomp.txt" || fail "jobcomp lacks exit codes"
! grep -v "ExitCode=0:0" "$TMP/log/jobcomp.txt" | grep -q . || fail "a job exited non-zero"
# and the controller's own view (squeue keeps finished jobs for MinJobAge)
n_cd="$(squeue -h -t all -o %T | grep -c COMPLETED || true)"
[ "$n_cd" = "$n_jobs" ] || fail "squeue shows $n_cd COMPLETED jobs, expected $n_jobs"
# each job's --cpus-per-task, --mem and --time are what its rule computed from the config
squeue -h -t all -o '%i|%k|%m|%l|%C|%T' >"$TMP/squeue.txt"
"$PY" "$ROOT/tests/workflow/slurm/check_requests.py" "$TMP/snakemake.log" "$TMP/squeue.txt" \
  || fail "SLURM requests differ from the rules' resources"
say "OK: $n_jobs SLURM jobs COMPLETED (exit 0) with their rules' requests, $n_local local" \
  "jobs, figures present; snakemake took ${SM_SECONDS}s in all"
