/*
 * The one header jextract reads for the per-architecture tables io.i2o2.uring.gen.x86_64 and
 * io.i2o2.uring.gen.aarch64 (see generate-bindings.sh beside it). It includes only the kernel's own UAPI
 * headers, never glibc's, so each table is generated from that architecture's kernel ABI: the x86-64 one
 * from the host's <asm/...>, the aarch64 one from linux-libc-dev-arm64-cross (/usr/aarch64-linux-gnu/include).
 *
 * What differs between the two: O_DIRECTORY, O_NOFOLLOW, O_DIRECT, O_LARGEFILE (and O_TMPFILE, which
 * contains O_DIRECTORY). The other open flags and the io_uring syscall numbers (425..427, the unified
 * table) are the same today; they are in the tables anyway, so no constant an open or a syscall takes is
 * ever read from another architecture's headers.
 */
#include <asm/fcntl.h>
#include <asm/unistd.h>
