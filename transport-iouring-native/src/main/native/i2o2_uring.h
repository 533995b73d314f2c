/*
 * The one header jextract reads for io.i2o2.uring.gen (see generate-bindings.sh beside it).
 * It pulls in the kernel's UAPI for io_uring and NVMe passthrough, the few libc calls the ring makes,
 * and the flag constants the ops take. Nothing here is compiled: it only feeds the binding generator.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <linux/falloc.h>
#include <sys/stat.h>  /* statx(), and struct statx from <linux/stat.h> */
#include <linux/openat2.h>
#include <linux/time_types.h>
#include <linux/io_uring.h>
#include <linux/nvme_ioctl.h>
#include <linux/sockios.h>

/*
 * Debian 12 ships the 6.1 UAPI headers. What newer kernels added and this library uses is declared
 * here, each with the kernel that introduced it; the values are ABI and never change.
 */
#ifndef IORING_SETUP_NO_SQARRAY
#define IORING_SETUP_NO_SQARRAY (1U << 16)          /* 6.6 */
#endif
#ifndef IORING_FEAT_REG_REG_RING
#define IORING_FEAT_REG_REG_RING (1U << 13)         /* 6.3 */
#endif
#define I2O2_IORING_REGISTER_SEND_MSG_RING 31      /* 6.13: MSG_RING without a source ring */
#define I2O2_IORING_OP_FTRUNCATE 55                /* 6.9 */
#define I2O2_SOCKET_URING_OP_SIOCINQ 0             /* 6.7 */
#define I2O2_SOCKET_URING_OP_SIOCOUTQ 1            /* 6.7 */
#define I2O2_SOCKET_URING_OP_GETSOCKOPT 2          /* 6.7 */
#define I2O2_SOCKET_URING_OP_SETSOCKOPT 3          /* 6.7 */
