// no-uring: runs a command the way a container with today's default seccomp profile runs it (Docker 25.0+,
// containerd 2.0's RuntimeDefault): io_uring_setup, io_uring_enter and io_uring_register fail with EPERM,
// every other system call is allowed. The testsuite's seccomp tests (io.i2o2.testsuite.seccomp) start their
// child JVMs through it, and .ci/check-seccomp.sh starts ./i2o2 serve through it.
//
//   Build: gcc -O2 -Wall -o no-uring no-uring.c        Use: no-uring COMMAND [ARGS...]
//   Exit status: the command's; 2 when the filter cannot be installed (or this is neither x86-64 nor
//   aarch64); 127 when the command cannot be run.
#include <errno.h>
#include <linux/audit.h>     // AUDIT_ARCH_*: the ABI a system call was made through (seccomp_data.arch)
#include <linux/filter.h>    // the classic BPF instructions a seccomp filter is written in
#include <linux/seccomp.h>   // struct seccomp_data (what the filter reads), SECCOMP_RET_* (its verdicts)
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

// io_uring's numbers: 425, 426, 427 on x86-64 and aarch64 alike (every architecture shares the numbers of
// the calls added since 5.1). Where the C library's headers know them, the compiler checks we agree.
#define NR_IO_URING_SETUP 425
#define NR_IO_URING_ENTER 426
#define NR_IO_URING_REGISTER 427
#ifdef __NR_io_uring_setup
_Static_assert(__NR_io_uring_setup == NR_IO_URING_SETUP, "io_uring_setup's number");
_Static_assert(__NR_io_uring_enter == NR_IO_URING_ENTER, "io_uring_enter's number");
_Static_assert(__NR_io_uring_register == NR_IO_URING_REGISTER, "io_uring_register's number");
#endif

// x86-64's x32 ABI reaches the same calls with bit 30 set in the number (425 | 0x40000000); the filter
// clears that bit before comparing, so io_uring is refused through x32 too. No aarch64 number has it set.
#define X32_SYSCALL_BIT 0x40000000u

// The one architecture this binary was built for; 0 on any other, where main refuses to run: the numbers
// above and the ABIs the filter knows are those of x86-64 and aarch64 only.
#if defined(__x86_64__) || defined(__aarch64__)
#define SUPPORTED_ARCH 1
#else
#define SUPPORTED_ARCH 0
#endif

static struct sock_filter filter[] = {
    // [0] Which ABI made the call: a number means a different call on another ABI.
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    // [1] x86-64 goes on to the number at [3].
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
    // [2] So does aarch64. Any other ABI (i386 through int 0x80 on x86-64, AArch32 on aarch64) goes to [10]:
    //     this filter has no rules for it, so it would be a side door to io_uring; a JVM never uses one.
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_AARCH64, 0, 7),
    // [3] The call's number, [4] with x32's bit cleared.
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
    BPF_STMT(BPF_ALU | BPF_AND | BPF_K, ~X32_SYSCALL_BIT),
    // [5..7] The three io_uring calls go to [9].
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_IO_URING_SETUP, 3, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_IO_URING_ENTER, 2, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NR_IO_URING_REGISTER, 1, 0),
    // [8] Everything else runs as usual.
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    // [9] io_uring: the call fails with EPERM without reaching the kernel's io_uring code, as under Docker.
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
    // [10] A foreign ABI: the process is killed, loudly, rather than let through (libseccomp's default).
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
};

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s COMMAND [ARGS...]\n", argv[0]);
        return 2;
    }
    if (!SUPPORTED_ARCH) {
        fprintf(stderr, "no-uring: only x86-64 and aarch64 are supported: io_uring's system call numbers and"
                " the ABIs this filter checks are those of these two\n");
        return 2;
    }
    struct sock_fprog program = { .len = sizeof filter / sizeof filter[0], .filter = filter };
    // An unprivileged process may install a filter only once it gives up gaining privileges through exec
    // (setuid binaries), so that the filter cannot be used to trick such a binary. Docker sets it too.
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        fprintf(stderr, "no-uring: prctl(PR_SET_NO_NEW_PRIVS): %s\n", strerror(errno));
        return 2;
    }
    // The filter applies to this thread and is inherited by everything it starts: the exec'ed command and
    // all of its threads and children (a JVM's event loops included). It cannot be removed.
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) != 0) {
        fprintf(stderr, "no-uring: prctl(PR_SET_SECCOMP): %s\n", strerror(errno));
        return 2;
    }
    // Replaces this process with the command: same pid, so the caller's timeouts and kills reach it.
    execvp(argv[1], argv + 1);
    fprintf(stderr, "no-uring: cannot run %s: %s\n", argv[1], strerror(errno));
    return 127;
}
