#!/usr/bin/env bash
# torchworks-entrypoint: the image's one entrypoint. PID 1 is tini, which forwards signals to
# the process this script `exec`s into, so jupyter, sshd, the server or the trainer itself gets
# SIGTERM and can drain. Every server mode refuses to start without its secret: the refusal says
# what is missing and the fix, and exits 2 before anything listens.
#
#   torchworks-entrypoint MODE [ARGS...]
#     jupyter [JUPYTER ARGS]   JupyterLab; needs JUPYTER_TOKEN(_FILE) or JUPYTER_PASSWORD_HASH
#     ssh [SSHD ARGS]          sshd, key-only, from a mounted authorized_keys
#     serve [SERVE ARGS]       torchworks serve, API keys from a secret mount
#     train RECIPE [ARGS]      torchworks train RECIPE ...
#     torchrun [ARGS]          torchrun ... (multi-node: torchrun ... -m torchworks train ...)
#     doctor [ARGS]            torchworks doctor ...
#     shell [BASH ARGS]        bash (shell -c 'cmd' runs one command)
#     health                   the HEALTHCHECK: /healthz in serve mode, else the doctor
#
# Environment: TORCHWORKS_HOST (bind address, default 127.0.0.1; compose and k8s set 0.0.0.0 so
# the published port reaches it), JUPYTER_PORT (8888), SSH_PORT (2222), SERVE_PORT (8000),
# SSH_AUTHORIZED_KEYS (/run/secrets/authorized_keys), SSH_STATE_DIR (/var/lib/torchworks/ssh),
# TORCHWORKS_API_KEY_FILE (/run/secrets/torchworks_api_keys), TORCHWORKS_SERVE_OPEN (1 = no API
# keys, loopback only), TORCHWORKS_RUN_DIR (/tmp/torchworks: the mode record the health check reads).
set -euo pipefail

prog=torchworks-entrypoint
host=${TORCHWORKS_HOST:-127.0.0.1}
run_dir=${TORCHWORKS_RUN_DIR:-/tmp/torchworks}

usage() {
  sed -n '/^#   torchworks-entrypoint MODE/,/^#     health /s/^# \{0,1\}//p' "$0"
}

# refuse MODE REASON FIX...: one line saying why, one line per fix, exit 2.
refuse() {
  local mode=$1 reason=$2 fix
  shift 2
  printf '%s: refusing to start %s: %s\n' "$prog" "$mode" "$reason" >&2
  for fix in "$@"; do
    printf '  fix: %s\n' "$fix" >&2
  done
  exit 2
}

is_loopback() {
  [[ $1 == 127.* || $1 == ::1 || $1 == localhost ]]
}

# The health check runs in a separate `docker exec`; it learns the mode from this record.
record_mode() {
  mkdir -p "$run_dir"
  printf '%s\n' "$*" > "$run_dir/mode"
}

# Non-comment lines that hold a public key (options such as from="..." may precede the type).
count_public_keys() {
  grep -Ec '(^|[[:space:]])(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)[[:space:]]+AAAA' "$1" || true
}

run_jupyter() {
  local port=${JUPYTER_PORT:-8888} hash=${JUPYTER_PASSWORD_HASH:-}
  local make_token="JUPYTER_TOKEN=\$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
  local make_hash="JUPYTER_PASSWORD_HASH=\$(python3 -c 'from jupyter_server.auth import passwd; print(passwd())') (in compose's .env file, single-quote it: the hash contains \$)"
  if [[ -z ${JUPYTER_TOKEN:-} && -n ${JUPYTER_TOKEN_FILE:-} ]]; then
    [[ -r $JUPYTER_TOKEN_FILE ]] \
      || refuse jupyter "JUPYTER_TOKEN_FILE=$JUPYTER_TOKEN_FILE is not a readable file" \
        "mount the token file there read-only, or set JUPYTER_TOKEN instead"
    JUPYTER_TOKEN=$(tr -d '[:space:]' < "$JUPYTER_TOKEN_FILE")
    [[ -n $JUPYTER_TOKEN ]] || refuse jupyter "JUPYTER_TOKEN_FILE=$JUPYTER_TOKEN_FILE is empty" \
      "write a random token into it: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
  fi
  if [[ -n ${JUPYTER_TOKEN+set} && -z $JUPYTER_TOKEN && -z $hash ]]; then
    refuse jupyter "JUPYTER_TOKEN is set but empty, which would open the notebook to anyone who reaches the port" \
      "$make_token" "or $make_hash"
  fi
  if [[ -z ${JUPYTER_TOKEN:-} && -z $hash ]]; then
    refuse jupyter "neither JUPYTER_TOKEN nor JUPYTER_PASSWORD_HASH is set, and a notebook runs any code for whoever reaches it" \
      "$make_token" "or $make_hash"
  fi
  if [[ -n ${JUPYTER_TOKEN:-} && ${#JUPYTER_TOKEN} -lt 16 ]]; then
    refuse jupyter "JUPYTER_TOKEN has ${#JUPYTER_TOKEN} characters; a guessable token is no lock" \
      "use at least 16 random characters: $make_token"
  fi
  local -a auth=(--PasswordIdentityProvider.allow_password_change=False)
  if [[ -n $hash ]]; then
    # jupyter_server accepts argon2 hashes and legacy algorithm:salt:hexdigest ones.
    [[ $hash =~ ^argon2:\$argon2(id|i|d)\$ || $hash =~ ^sha(1|256|512):[0-9a-f]+:[0-9a-f]+$ ]] \
      || refuse jupyter "JUPYTER_PASSWORD_HASH is not a Jupyter password hash (it must start with 'argon2:'); a plain password there would never match" \
        "$make_hash"
    auth+=("--PasswordIdentityProvider.hashed_password=$hash")
  fi
  # The token stays in the environment (jupyter_server reads JUPYTER_TOKEN), never on argv.
  [[ -z ${JUPYTER_TOKEN:-} ]] || export JUPYTER_TOKEN
  record_mode jupyter "$host" "$port"
  exec jupyter lab --no-browser --ip="$host" --port="$port" --ServerApp.root_dir=/workspace \
    "${auth[@]}" "$@"
}

run_ssh() {
  local port=${SSH_PORT:-2222} keys=${SSH_AUTHORIZED_KEYS:-/run/secrets/authorized_keys}
  local state=${SSH_STATE_DIR:-/var/lib/torchworks/ssh} user sshd
  user=$(id -un)
  local mount="mount your public key read-only: -v ~/.ssh/id_ed25519.pub:$keys:ro (or point SSH_AUTHORIZED_KEYS at it)"
  [[ -e $keys ]] || refuse ssh "no authorized_keys at $keys, and password login is disabled" "$mount"
  [[ -f $keys && -r $keys ]] || refuse ssh "$keys is not a readable file for uid $(id -u)" \
    "make it world-readable on the host (chmod 644; it holds public keys only)" "$mount"
  if grep -q 'PRIVATE KEY' "$keys"; then
    refuse ssh "$keys holds a private key; never copy a private key into a container" \
      "mount the .pub file instead: $mount"
  fi
  [[ $(count_public_keys "$keys") -gt 0 ]] \
    || refuse ssh "$keys holds no public key lines (ssh-ed25519, ecdsa-sha2-*, ssh-rsa, sk-*)" "$mount"
  sshd=$(command -v sshd || true)
  [[ -n $sshd ]] || refuse ssh "sshd is not installed in this image" \
    "build the image from docker/Dockerfile, which installs openssh-server"
  mkdir -p "$state" 2>/dev/null || true
  [[ -d $state && -w $state ]] || refuse ssh "host key directory $state is not writable by uid $(id -u)" \
    "mount a volume there (compose: ssh-host-keys) owned by the image user, or set SSH_STATE_DIR"
  chmod 700 "$state"
  # Host keys are made once, on first start, into the volume: never baked into the image.
  if [[ ! -s $state/ssh_host_ed25519_key ]]; then
    ssh-keygen -q -t ed25519 -N '' -C "torchworks-host" -f "$state/ssh_host_ed25519_key"
    echo "$prog: generated the SSH host key in $state" >&2
  fi
  echo "$prog: host key $(ssh-keygen -l -f "$state/ssh_host_ed25519_key.pub")" >&2
  # A private copy with strict modes: sshd's StrictModes rejects group-writable or foreign files.
  install -m 600 "$keys" "$state/authorized_keys"
  cat > "$state/sshd_config" <<EOF
Port $port
ListenAddress $host
HostKey $state/ssh_host_ed25519_key
PidFile $state/sshd.pid
AuthorizedKeysFile $state/authorized_keys
AllowUsers $user
PubkeyAuthentication yes
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitEmptyPasswords no
PermitRootLogin no
UsePAM no
StrictModes yes
X11Forwarding no
PrintMotd no
SetEnv PATH=$PATH
Subsystem sftp internal-sftp
EOF
  record_mode ssh "$host" "$port"
  exec "$sshd" -D -e -f "$state/sshd_config" "$@"
}

run_serve() {
  local port=${SERVE_PORT:-8000} keys=${TORCHWORKS_API_KEY_FILE:-/run/secrets/torchworks_api_keys}
  local -a auth=()
  local mount="mount a file of hashed API keys as a secret at $keys (compose: secrets.torchworks_api_keys; k8s: Secret torchworks-api-keys), or set TORCHWORKS_API_KEY_FILE"
  if [[ ${TORCHWORKS_SERVE_OPEN:-0} == 1 ]]; then
    is_loopback "$host" || refuse serve "TORCHWORKS_SERVE_OPEN=1 serves without API keys, which is allowed on loopback only, but TORCHWORKS_HOST=$host" \
      "drop TORCHWORKS_SERVE_OPEN and $mount" "or bind loopback: TORCHWORKS_HOST=127.0.0.1"
    echo "$prog: serving WITHOUT API keys on $host (TORCHWORKS_SERVE_OPEN=1)" >&2
  else
    [[ -e $keys ]] || refuse serve "no API key file at $keys" "$mount" \
      "or, for a loopback-only trial: TORCHWORKS_SERVE_OPEN=1 TORCHWORKS_HOST=127.0.0.1"
    [[ -f $keys && -r $keys ]] || refuse serve "$keys is not a readable file for uid $(id -u)" "$mount"
    grep -Eqv '^[[:space:]]*(#|$)' "$keys" || refuse serve "$keys holds no keys" "$mount"
    auth=(--api-key-file "$keys")
  fi
  record_mode serve "$host" "$port"
  exec torchworks serve --host "$host" --port "$port" "${auth[@]}" "$@"
}

# Docker's HEALTHCHECK: a server that answers /healthz, else a doctor without errors (exit 2).
# --no-bench skips the matmul and bandwidth tests, which would load a busy GPU every interval.
run_health() {
  local mode="" mhost="" mport=""
  [[ ! -r $run_dir/mode ]] || read -r mode mhost mport < "$run_dir/mode"
  if [[ $mode == serve ]]; then
    case $mhost in
      0.0.0.0 | "") mhost=127.0.0.1 ;;
      ::) mhost="[::1]" ;;
      *:*) mhost="[$mhost]" ;;
    esac
    exec python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)' \
      "http://$mhost:$mport/healthz"
  fi
  local rc=0
  torchworks doctor --json --no-bench > /dev/null || rc=$?
  if ((rc >= 2)); then
    echo "$prog: unhealthy: torchworks doctor found errors (run: torchworks doctor)" >&2
    exit 1
  fi
}

mode=${1:-help}
[[ $# -eq 0 ]] || shift
case $mode in
  jupyter) run_jupyter "$@" ;;
  ssh) run_ssh "$@" ;;
  serve) run_serve "$@" ;;
  train) exec torchworks train "$@" ;;
  torchrun) exec torchrun "$@" ;;
  doctor) exec torchworks doctor "$@" ;;
  shell) exec bash "$@" ;;
  health) run_health ;;
  help | -h | --help) usage ;;
  *)
    echo "$prog: unknown mode '$mode'" >&2
    usage >&2
    echo "  (to run a command: shell -c 'COMMAND')" >&2
    exit 2
    ;;
esac
