"""Confine the calling process with what an unprivileged Linux process may use: Landlock, seccomp, setresuid.

Runs inside the worker (or zygote) before any student code, with the standard
library only. Each function says what it enforced, so the grader can name it
in every report:

- :func:`drop_privileges`: when root, switch to an unprivileged uid/gid with
  no supplementary groups (the kit, results and secret are not its files);
- :func:`landlock`: read-only access to the given folders, full access to the
  scratch folder, nothing else; TCP bind/connect denied (ABI 4) and signals and
  abstract Unix sockets scoped to the domain (ABI 6) where the kernel has them;
- :func:`seccomp`: no new namespaces, mounts, ptrace, process_vm_*, keyrings,
  bpf, io_uring, SysV IPC, or sockets other than a stream socketpair.

Landlock and seccomp stack: a forked child may add its own tighter layer.
"""

import ctypes
import os
import platform
import struct

# --- Landlock (include/uapi/linux/landlock.h) -------------------------------------------------------------

SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_ALL_V1 = (1 << 13) - 1  # execute .. make_sym
FS_REFER, FS_TRUNCATE, FS_IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1

READ = FS_EXECUTE | FS_READ_FILE | FS_READ_DIR

# --- seccomp (include/uapi/linux/seccomp.h, filter.h) ------------------------------------------------------

PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
RET_KILL_PROCESS, RET_ERRNO, RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
LD_ABS_W, ALU_AND, JEQ, JGE, JSET, RET = 0x20, 0x54, 0x15, 0x35, 0x45, 0x06
EPERM, ENOSYS, EAFNOSUPPORT = 1, 38, 97
AF_UNIX, SOCK_STREAM, SOCK_TYPE_MASK = 1, 1, 0xF
CLONE_NAMESPACES = 0x7E020000  # NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET

# audit arch, then the numbers of the syscalls the filter denies (EPERM) and inspects
ARCHES = {
    "x86_64": {
        "audit": 0xC000003E,
        "deny": {
            "ptrace": 101,
            "process_vm_readv": 310,
            "process_vm_writev": 311,
            "unshare": 272,
            "setns": 308,
            "mount": 165,
            "umount2": 166,
            "pivot_root": 155,
            "chroot": 161,
            "open_tree": 428,
            "move_mount": 429,
            "fsopen": 430,
            "fsconfig": 431,
            "fsmount": 432,
            "fspick": 433,
            "mount_setattr": 442,
            "keyctl": 250,
            "add_key": 248,
            "request_key": 249,
            "bpf": 321,
            "perf_event_open": 298,
            "userfaultfd": 323,
            "io_uring_setup": 425,
            "io_uring_enter": 426,
            "io_uring_register": 427,
            "open_by_handle_at": 304,
            "name_to_handle_at": 303,
            "kcmp": 312,
            "pidfd_getfd": 438,
            "shmget": 29,
            "shmat": 30,
            "shmctl": 31,
            "shmdt": 67,
            "semget": 64,
            "semop": 65,
            "semctl": 66,
            "semtimedop": 220,
            "msgget": 68,
            "msgsnd": 69,
            "msgrcv": 70,
            "msgctl": 71,
            "kexec_load": 246,
            "kexec_file_load": 320,
            "init_module": 175,
            "finit_module": 313,
            "delete_module": 176,
            "acct": 163,
            "swapon": 167,
            "swapoff": 168,
            "reboot": 169,
            "syslog": 103,
            "settimeofday": 164,
            "quotactl": 179,
            "vhangup": 153,
            "iopl": 172,
            "ioperm": 173,
        },  # fmt: skip
        "clone": 56,
        "clone3": 435,
        "socket": 41,
        "socketpair": 53,
        "x32": 0x40000000,
    },  # fmt: skip
    "aarch64": {
        "audit": 0xC00000B7,
        "deny": {
            "ptrace": 117,
            "process_vm_readv": 270,
            "process_vm_writev": 271,
            "unshare": 97,
            "setns": 268,
            "mount": 40,
            "umount2": 39,
            "pivot_root": 41,
            "chroot": 51,
            "open_tree": 428,
            "move_mount": 429,
            "fsopen": 430,
            "fsconfig": 431,
            "fsmount": 432,
            "fspick": 433,
            "mount_setattr": 442,
            "keyctl": 219,
            "add_key": 217,
            "request_key": 218,
            "bpf": 280,
            "perf_event_open": 241,
            "userfaultfd": 282,
            "io_uring_setup": 425,
            "io_uring_enter": 426,
            "io_uring_register": 427,
            "open_by_handle_at": 265,
            "name_to_handle_at": 264,
            "kcmp": 272,
            "pidfd_getfd": 438,
            "shmget": 194,
            "shmctl": 195,
            "shmat": 196,
            "shmdt": 197,
            "semget": 190,
            "semctl": 191,
            "semtimedop": 192,
            "semop": 193,
            "msgget": 186,
            "msgctl": 187,
            "msgrcv": 188,
            "msgsnd": 189,
            "kexec_load": 104,
            "kexec_file_load": 294,
            "init_module": 105,
            "finit_module": 273,
            "delete_module": 106,
            "acct": 89,
            "swapon": 224,
            "swapoff": 225,
            "reboot": 142,
            "syslog": 116,
            "settimeofday": 170,
            "quotactl": 60,
            "vhangup": 58,
        },  # fmt: skip
        "clone": 220,
        "clone3": 435,
        "socket": 198,
        "socketpair": 199,
        "x32": None,
    },  # fmt: skip
}

UNPRIVILEGED = 65534  # nobody / nogroup


class ConfineError(OSError):
    """A confinement step that was asked for could not be applied."""


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
_libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def _check(result, what):
    if result < 0:
        errno = ctypes.get_errno()
        raise ConfineError(errno, f"{what}: {os.strerror(errno)}")
    return result


def landlock_abi():
    """The kernel's Landlock ABI version, 0 when it has none (or it is disabled)."""
    abi = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    return max(int(abi), 0)


def _fs_rights(abi):
    rights = FS_ALL_V1
    if abi >= 2:
        rights |= FS_REFER
    if abi >= 3:
        rights |= FS_TRUNCATE
    if abi >= 5:
        rights |= FS_IOCTL_DEV
    return rights


def landlock(read=(), write=(), devices=(), scope_only=False):
    """Restrict this process (and its future children) with a new Landlock layer; returns what it enforced.

    read: folders or files readable and executable beneath; write: full access
    beneath; devices: device files that may be read and written. With
    scope_only the layer only scopes signals and abstract sockets (and denies
    TCP), leaving file access to the layers below.
    """
    abi = landlock_abi()
    if abi < 1:
        raise ConfineError(0, "Landlock is not available in this kernel")
    handled_fs = 0 if scope_only else _fs_rights(abi)
    handled_net = NET_BIND_TCP | NET_CONNECT_TCP if abi >= 4 else 0
    scoped = SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL if abi >= 6 else 0
    if scope_only and not (handled_net or scoped):
        return {"landlock_abi": abi}
    attr = struct.pack("QQQ", handled_fs, handled_net, scoped)[: 8 if abi < 4 else 16 if abi < 6 else 24]
    buffer = ctypes.create_string_buffer(attr, len(attr))
    fd = _check(
        _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, buffer, ctypes.c_size_t(len(attr)), ctypes.c_uint32(0)),
        "landlock_create_ruleset",
    )
    try:
        if not scope_only:
            file_rights = FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | (FS_TRUNCATE if abi >= 3 else 0)
            rules = [(p, READ) for p in read] + [(p, handled_fs) for p in write]
            rules += [(p, file_rights | (FS_IOCTL_DEV if abi >= 5 else 0)) for p in devices]
            for path, rights in rules:
                _add_path_rule(fd, path, rights)
        _no_new_privs()
        _check(_libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ctypes.c_int(fd), ctypes.c_uint32(0)), "landlock_restrict_self")
    finally:
        os.close(fd)
    return {
        "landlock_abi": abi,
        "files": not scope_only,
        "tcp": bool(handled_net),
        "signals_and_abstract_sockets": bool(scoped),
    }


def _add_path_rule(ruleset, path, rights):
    try:
        parent = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a folder this host does not have
    try:
        if not os.path.isdir(f"/proc/self/fd/{parent}"):
            rights &= FS_EXECUTE | FS_WRITE_FILE | FS_READ_FILE | FS_TRUNCATE | FS_IOCTL_DEV  # file rights only
        attr = struct.pack("=Qi", rights, parent)  # struct landlock_path_beneath_attr is packed
        buffer = ctypes.create_string_buffer(attr, len(attr))
        _check(
            _libc.syscall(
                SYS_LANDLOCK_ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(RULE_PATH_BENEATH), buffer, ctypes.c_uint32(0)
            ),
            f"landlock_add_rule({path})",
        )
    finally:
        os.close(parent)


def _no_new_privs():
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")


def _stmt(code, k):
    return struct.pack("=HBBI", code, 0, 0, k)


def _jump(code, k, jt, jf):
    return struct.pack("=HBBI", code, jt, jf, k)


def seccomp_program(arch=None):
    """The classic-BPF filter for this machine's architecture, as bytes (8 bytes per instruction)."""
    table = ARCHES.get(arch or platform.machine())
    if table is None:
        raise ConfineError(0, f"no seccomp table for {arch or platform.machine()}")
    errno = RET_ERRNO
    arg0, arg1 = 16, 24  # seccomp_data.args[i], low 32 bits (little-endian)
    program = [
        _stmt(LD_ABS_W, 4),  # seccomp_data.arch
        _jump(JEQ, table["audit"], 1, 0),
        _stmt(RET, RET_KILL_PROCESS),
        _stmt(LD_ABS_W, 0),  # seccomp_data.nr
    ]
    if table["x32"] is not None:
        program += [_jump(JGE, table["x32"], 0, 1), _stmt(RET, RET_KILL_PROCESS)]
    for number in sorted(table["deny"].values()):
        program += [_jump(JEQ, number, 0, 1), _stmt(RET, errno | EPERM)]
    # clone3 hides its flags in memory: ENOSYS makes libc fall back to clone, whose flags we can see
    program += [_jump(JEQ, table["clone3"], 0, 1), _stmt(RET, errno | ENOSYS)]
    program += [_jump(JEQ, table["socket"], 0, 1), _stmt(RET, errno | EAFNOSUPPORT)]
    program += [
        _jump(JEQ, table["clone"], 0, 4),
        _stmt(LD_ABS_W, arg0),
        _jump(JSET, CLONE_NAMESPACES, 0, 1),
        _stmt(RET, errno | EPERM),
        _stmt(RET, RET_ALLOW),
        _jump(JEQ, table["socketpair"], 0, 5),
        _stmt(LD_ABS_W, arg1),
        _stmt(ALU_AND, SOCK_TYPE_MASK),  # flags such as SOCK_CLOEXEC are fine
        _jump(JEQ, SOCK_STREAM, 1, 0),
        _stmt(RET, errno | EPERM),
        _stmt(RET, RET_ALLOW),
        _stmt(RET, RET_ALLOW),
    ]
    return b"".join(program)


def seccomp():
    """Install the seccomp filter on this thread and its future children; returns what it enforced."""
    program = seccomp_program()
    count = len(program) // 8
    filters = ctypes.create_string_buffer(program, len(program))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = SockFprog(count, ctypes.cast(filters, ctypes.c_void_p))
    _no_new_privs()
    _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(prog), 0, 0), "prctl(PR_SET_SECCOMP)")
    return {"seccomp": True}


def drop_privileges(uid=UNPRIVILEGED, gid=UNPRIVILEGED):
    """When root, become uid/gid with no supplementary groups and no capabilities; returns the uid in effect."""
    if os.geteuid() != 0:
        return os.geteuid()
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if os.getresuid() != (uid, uid, uid) or os.getresgid() != (gid, gid, gid) or os.getgroups():
        raise ConfineError(0, "could not drop root privileges")
    return uid
