"""Rules for multi-GPU and multi-node runs: NCCL's environment switches and the process
limits that NCCL and DataLoader workers hit (`ulimit -l`, `ulimit -n`)."""

from __future__ import annotations

from torchworks.env.facts import Facts
from torchworks.env.findings import Finding, Severity
from torchworks.env.rules_gpu import gpu_list
from torchworks.env.rules_system import human_bytes
from torchworks.env.tables import MEMLOCK_IB_MIN_BYTES, NOFILE_RECOMMENDED, NOFILE_WARN_BELOW

_TRUE = ("1", "true", "yes", "on")
# Interfaces that never carry traffic between nodes (NCCL itself skips docker* and lo).
VIRTUAL_INTERFACES = ("lo", "docker", "veth", "virbr", "br-", "ifb", "cni", "flannel")


def socket_ifname_matches(value: str, interfaces: list[str]) -> list[str]:
    """Interfaces NCCL_SOCKET_IFNAME selects: comma-separated prefixes, `=` for exact names,
    a leading `^` to exclude instead (NCCL's syntax); lo only if named."""
    exclude = value.startswith("^")
    body = value[1:] if exclude else value
    exact = body.startswith("=")
    names = [n.strip() for n in (body[1:] if exact else body).split(",") if n.strip()]

    def hit(iface: str) -> bool:
        return any(iface == n if exact else iface.startswith(n) for n in names)

    if exclude:
        return [i for i in interfaces if not hit(i) and i != "lo"]
    return [i for i in interfaces if hit(i)]


def nccl_env(facts: Facts) -> list[Finding]:
    env, s = facts.env, facts.system
    gpus = len(gpu_list(facts))
    findings = []
    ifname = env.get("NCCL_SOCKET_IFNAME")
    if ifname is not None and s.net_interfaces:
        chosen = socket_ifname_matches(ifname, s.net_interfaces)
        real = [i for i in s.net_interfaces if not i.startswith(VIRTUAL_INTERFACES)]
        if not chosen:
            findings.append(Finding(
                "nccl.socket_ifname_none", Severity.ERROR,
                f"NCCL_SOCKET_IFNAME={ifname} matches none of {', '.join(s.net_interfaces)}",
                "NCCL stops at init with 'Bootstrap : no socket interface found'",
                f"export NCCL_SOCKET_IFNAME={real[0] if real else 'lo'}  # or unset it"))
        else:
            findings.append(Finding("nccl.socket_ifname", Severity.OK,
                                    f"NCCL_SOCKET_IFNAME={ifname} selects {', '.join(chosen)}",
                                    "NCCL's bootstrap has an interface"))
    if env.get("NCCL_P2P_DISABLE", "").lower() in _TRUE and gpus >= 2:
        findings.append(Finding(
            "nccl.p2p_disabled", Severity.WARN, f"NCCL_P2P_DISABLE={env['NCCL_P2P_DISABLE']} "
            f"with {gpus} GPUs", "GPU-to-GPU traffic goes through host memory: all-reduce is "
            "several times slower (set it only to work around a broken PCIe P2P/IOMMU setup)",
            "unset NCCL_P2P_DISABLE  # check the topology with `nvidia-smi topo -m`"))
    if env.get("NCCL_IB_DISABLE", "").lower() in _TRUE and s.infiniband_devices:
        findings.append(Finding(
            "nccl.ib_disabled", Severity.WARN, f"NCCL_IB_DISABLE={env['NCCL_IB_DISABLE']} "
            f"while InfiniBand/RoCE devices exist ({', '.join(s.infiniband_devices)})",
            "multi-node traffic falls back to TCP sockets, an order of magnitude slower",
            "unset NCCL_IB_DISABLE"))
    return findings


def ulimits(facts: Facts) -> list[Finding]:
    s, findings = facts.system, []
    nofile = s.ulimit_nofile
    if nofile is not None and nofile != -1 and nofile < NOFILE_WARN_BELOW \
            and facts.workload.dataloader_workers > 0:
        findings.append(Finding(
            "limits.nofile_low", Severity.WARN, f"ulimit -n is {nofile} with "
            f"{facts.workload.dataloader_workers} DataLoader workers",
            "workers hand tensors over as file descriptors; the limit runs out with "
            "'received 0 items of ancdata' / 'Too many open files'",
            f"ulimit -n {NOFILE_RECOMMENDED}  (docker: --ulimit nofile={NOFILE_RECOMMENDED}:"
            f"{NOFILE_RECOMMENDED}; or torch.multiprocessing.set_sharing_strategy"
            "('file_system'))"))
    memlock = s.ulimit_memlock_bytes
    if memlock is not None and memlock != -1 and memlock < MEMLOCK_IB_MIN_BYTES \
            and s.infiniband_devices and gpu_list(facts):
        findings.append(Finding(
            "limits.memlock_low", Severity.ERROR,
            f"ulimit -l is {human_bytes(memlock)} with InfiniBand/RoCE devices "
            f"({', '.join(s.infiniband_devices)})",
            "NCCL registers its buffers for RDMA as locked memory: it fails with 'ibv_reg_mr "
            "failed' / 'NET/IB : Unable to register memory', or falls back to sockets",
            "ulimit -l unlimited  (docker: --ulimit memlock=-1:-1; Kubernetes/systemd: "
            "LimitMEMLOCK=infinity; hosts: /etc/security/limits.conf '* - memlock unlimited')"))
    return findings
