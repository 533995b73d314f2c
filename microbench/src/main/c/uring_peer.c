/*
 * uring_peer: the C liburing reference loop of the i2o2 benchmark.
 *
 * It is the ceiling the Java backends are compared with: one tight loop on one ring, no queues, no
 * allocation, no futures. The benchmark CLI compiles it at run time (gcc -O2 ... -luring -lpthread) and
 * reads the single line it prints:
 *
 *   RESULT mode=randread ops=N seconds=S cpu_s=C p50_ns=A p99_ns=B p999_ns=D
 *
 * Modes:
 *   nop       NOPs in batches of --qd from the ring's own thread (--threads 0), or handed over from
 *             --threads producer threads to the ring thread through per-producer SPSC queues (spinning).
 *   randread  4 KiB random reads at queue depth --qd; --fixed 1 registers the buffers and the file,
 *             --direct 1 opens the file with O_DIRECT. QD1 gives the latency workload's figures.
 *   seqwrite  sequential --bs writes at queue depth --qd, an fdatasync (IORING_OP_FSYNC, DATASYNC) after
 *             every --fsync-every writes once the writes in flight have completed.
 *
 * Latency is per op: from just before the op is submitted to when its completion is reaped, in a
 * log-linear histogram (32 buckets per power of two, so a percentile is within ~3%).
 * CPU time is getrusage(RUSAGE_SELF) over the timed part: every thread of the process, io-wq workers included.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <liburing.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ---------- options ---------- */

struct options {
    const char *mode;
    const char *file;
    long long file_size;
    int qd;
    int threads;
    int fixed;
    int direct;
    int bs;
    int fsync_every;
    double seconds;
    unsigned ring_flags;
};

static struct options opt = {
    .mode = "randread", .qd = 32, .bs = 4096, .fsync_every = 64, .seconds = 3.0,
    .ring_flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
};

static void die(const char *what, int err) {
    fprintf(stderr, "uring_peer: %s: %s\n", what, strerror(err < 0 ? -err : err));
    exit(1);
}

/* ---------- clock and CPU ---------- */

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t) t.tv_sec * 1000000000ull + (uint64_t) t.tv_nsec;
}

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

/* ---------- latency histogram (same bucketing as the Java LatencyHistogram) ---------- */

#define SUB_BITS 5
#define SUB (1 << SUB_BITS)
#define BUCKETS (60 * SUB)

struct histogram {
    uint64_t counts[BUCKETS];
    uint64_t total;
};

static int bucket_of(uint64_t v) {
    if (v < SUB) {
        return (int) v;
    }
    int msb = 63 - __builtin_clzll(v);
    int shift = msb - SUB_BITS;
    return (shift + 1) * SUB + (int) ((v >> shift) & (SUB - 1));
}

/* Midpoint of a bucket: the value a percentile reports. */
static uint64_t bucket_value(int idx) {
    if (idx < SUB) {
        return (uint64_t) idx;
    }
    int shift = idx / SUB - 1;
    uint64_t low = (uint64_t) (SUB + idx % SUB) << shift;
    return low + ((1ull << shift) >> 1);
}

static void hist_record(struct histogram *h, uint64_t v, uint64_t n) {
    h->counts[bucket_of(v)] += n;
    h->total += n;
}

static void hist_merge(struct histogram *into, const struct histogram *from) {
    for (int i = 0; i < BUCKETS; i++) {
        into->counts[i] += from->counts[i];
    }
    into->total += from->total;
}

static uint64_t hist_percentile(const struct histogram *h, double q) {
    if (h->total == 0) {
        return 0;
    }
    uint64_t rank = (uint64_t) (q * (double) h->total);
    if (rank >= h->total) {
        rank = h->total - 1;
    }
    uint64_t seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
        seen += h->counts[i];
        if (seen > rank) {
            return bucket_value(i);
        }
    }
    return 0;
}

static struct histogram hist;

static void report(long long ops, double seconds, double cpu) {
    printf("RESULT mode=%s ops=%lld seconds=%.6f cpu_s=%.6f p50_ns=%llu p99_ns=%llu p999_ns=%llu\n",
           opt.mode, ops, seconds, cpu,
           (unsigned long long) hist_percentile(&hist, 0.50),
           (unsigned long long) hist_percentile(&hist, 0.99),
           (unsigned long long) hist_percentile(&hist, 0.999));
}

static void ring_init(struct io_uring *ring, unsigned entries) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = opt.ring_flags;
    int rc = io_uring_queue_init_params(entries, ring, &p);
    if (rc < 0) {
        die("io_uring_queue_init_params", rc);
    }
}

/* Every SQE slot is free before each call site, so a NULL here is a bug, not back-pressure. */
static struct io_uring_sqe *sqe_or_die(struct io_uring *ring) {
    struct io_uring_sqe *s = io_uring_get_sqe(ring);
    if (s == NULL) {
        die("io_uring_get_sqe", EBUSY);
    }
    return s;
}

/* ---------- nop, same thread: batches of qd ---------- */

static void run_nop_batch(void) {
    struct io_uring ring;
    ring_init(&ring, (unsigned) opt.qd);
    long long ops = 0;
    double cpu0 = cpu_seconds();
    uint64_t t0 = now_ns(), end = t0 + (uint64_t) (opt.seconds * 1e9), t = t0;
    while (t < end) {
        for (int i = 0; i < opt.qd; i++) {
            io_uring_prep_nop(sqe_or_die(&ring));
        }
        int rc = io_uring_submit_and_wait(&ring, (unsigned) opt.qd);
        if (rc < 0) {
            die("io_uring_submit_and_wait", rc);
        }
        struct io_uring_cqe *cqe;
        unsigned head, n = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            n++;
        }
        io_uring_cq_advance(&ring, n);
        uint64_t t1 = now_ns();
        /* Every NOP of the batch waited for the whole batch: that is its latency. */
        hist_record(&hist, t1 - t, n);
        ops += n;
        t = t1;
    }
    report(ops, (t - t0) / 1e9, cpu_seconds() - cpu0);
    io_uring_queue_exit(&ring);
}

/* ---------- nop, cross thread: producers hand NOPs to the ring thread ---------- */

/*
 * One single-producer single-consumer queue per producer: the producer publishes `tail`, the ring thread
 * consumes up to it and later flags each slot done. No locks, no wake-ups: both sides spin. This is the
 * cheapest possible hand-over, the bound for any executor that takes ops from other threads.
 *
 * Spinning threads that outnumber free cores would each wait a whole scheduler time slice for the other
 * side to run (one op per slice: ~100 ops/s on a busy 2-core machine), so a side that found nothing to do
 * IDLE_SPINS times in a row yields its CPU. Unloaded, the yield is never reached.
 */
#define HANDOFF_SLOTS 4096
#define IDLE_SPINS 64

struct handoff {
    _Atomic unsigned long tail;           /* written by the producer */
    unsigned long head;                   /* ring thread only */
    _Atomic int done[HANDOFF_SLOTS];      /* set by the ring thread, cleared by the producer */
    uint64_t start[HANDOFF_SLOTS];        /* producer only: submit time of the slot */
    struct histogram hist;                /* producer only */
    long long completed;                  /* producer only */
    char pad[64];
};

static struct handoff *queues;
static _Atomic int stop_producers;

static void *producer(void *arg) {
    struct handoff *q = arg;
    unsigned long window = (unsigned long) (opt.qd / opt.threads > 0 ? opt.qd / opt.threads : 1);
    unsigned long sent = 0, acked = 0;
    int idle = 0;
    while (!atomic_load_explicit(&stop_producers, memory_order_relaxed)) {
        unsigned long progress = sent + acked;
        while (sent - acked < window) {
            unsigned long slot = sent % HANDOFF_SLOTS;
            atomic_store_explicit(&q->done[slot], 0, memory_order_relaxed);
            q->start[slot] = now_ns();
            sent++;
            atomic_store_explicit(&q->tail, sent, memory_order_release);
        }
        while (acked < sent && atomic_load_explicit(&q->done[acked % HANDOFF_SLOTS], memory_order_acquire)) {
            hist_record(&q->hist, now_ns() - q->start[acked % HANDOFF_SLOTS], 1);
            acked++;
            q->completed++;
        }
        if (sent + acked != progress) {
            idle = 0;
        } else if (++idle >= IDLE_SPINS) {
            idle = 0;
            sched_yield();
        }
    }
    return NULL;
}

static void run_nop_handoff(void) {
    if (opt.threads > 256) {
        die("--threads above 256 for the C hand-over", EINVAL);
    }
    struct io_uring ring;
    ring_init(&ring, 4096);
    queues = aligned_alloc(64, sizeof(struct handoff) * (size_t) opt.threads);
    memset(queues, 0, sizeof(struct handoff) * (size_t) opt.threads);
    pthread_t tids[256];
    double cpu0 = cpu_seconds();
    uint64_t t0 = now_ns(), end = t0 + (uint64_t) (opt.seconds * 1e9);
    for (int p = 0; p < opt.threads; p++) {
        pthread_create(&tids[p], NULL, producer, &queues[p]);
    }
    int idle = 0;
    while (now_ns() < end) {
        int queued = 0;
        for (int p = 0; p < opt.threads; p++) {
            struct handoff *q = &queues[p];
            unsigned long tail = atomic_load_explicit(&q->tail, memory_order_acquire);
            for (; q->head < tail; q->head++) {
                struct io_uring_sqe *s = io_uring_get_sqe(&ring);
                if (s == NULL) {            /* SQ full: submit what we have, then there is room */
                    io_uring_submit(&ring);
                    s = sqe_or_die(&ring);
                }
                io_uring_prep_nop(s);
                io_uring_sqe_set_data64(s, ((uint64_t) p << 32) | (q->head % HANDOFF_SLOTS));
                queued++;
            }
        }
        if (queued > 0) {
            io_uring_submit_and_get_events(&ring);
        }
        struct io_uring_cqe *cqe;
        unsigned head, n = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            uint64_t ud = io_uring_cqe_get_data64(cqe);
            atomic_store_explicit(&queues[ud >> 32].done[ud & 0xffffffffu], 1, memory_order_release);
            n++;
        }
        io_uring_cq_advance(&ring, n);
        if (queued > 0 || n > 0) {
            idle = 0;
        } else if (++idle >= IDLE_SPINS) {
            idle = 0;
            sched_yield();
        }
    }
    atomic_store(&stop_producers, 1);
    long long ops = 0;
    for (int p = 0; p < opt.threads; p++) {
        pthread_join(tids[p], NULL);
        ops += queues[p].completed;
        hist_merge(&hist, &queues[p].hist);
    }
    report(ops, (now_ns() - t0) / 1e9, cpu_seconds() - cpu0);
    io_uring_queue_exit(&ring);
}

/* ---------- randread ---------- */

static uint64_t rng = 88172645463325252ull;

static uint64_t next_random(void) {    /* xorshift64: cheap and good enough to spread offsets */
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void prep_read(struct io_uring *ring, int fd, char *buf, int slot, long long blocks) {
    struct io_uring_sqe *s = sqe_or_die(ring);
    long long off = (long long) (next_random() % (uint64_t) blocks) * opt.bs;
    if (opt.fixed) {
        /* fd 0 is the index into the registered file table; buffer index 0 is the one registered range */
        io_uring_prep_read_fixed(s, 0, buf + (size_t) opt.bs * slot, (unsigned) opt.bs, (uint64_t) off, 0);
        s->flags |= IOSQE_FIXED_FILE;
    } else {
        io_uring_prep_read(s, fd, buf + (size_t) opt.bs * slot, (unsigned) opt.bs, (uint64_t) off);
    }
    io_uring_sqe_set_data64(s, (uint64_t) slot);
}

static void run_randread(void) {
    int fd = open(opt.file, O_RDONLY | (opt.direct ? O_DIRECT : 0));
    if (fd < 0) {
        die(opt.file, errno);
    }
    long long blocks = opt.file_size / opt.bs;
    struct io_uring ring;
    ring_init(&ring, (unsigned) opt.qd);
    char *buf;
    size_t len = (size_t) opt.bs * (size_t) opt.qd;
    if (posix_memalign((void **) &buf, 4096, len) != 0) {
        die("posix_memalign", ENOMEM);
    }
    memset(buf, 0, len);
    if (opt.fixed) {
        struct iovec iov = { buf, len };
        int rc = io_uring_register_buffers(&ring, &iov, 1);
        if (rc < 0) {
            die("io_uring_register_buffers", rc);
        }
        rc = io_uring_register_files(&ring, &fd, 1);
        if (rc < 0) {
            die("io_uring_register_files", rc);
        }
    }
    uint64_t *start = calloc((size_t) opt.qd, sizeof(uint64_t));
    long long ops = 0;
    double cpu0 = cpu_seconds();
    uint64_t t0 = now_ns(), end = t0 + (uint64_t) (opt.seconds * 1e9), t = t0;
    for (int i = 0; i < opt.qd; i++) {
        prep_read(&ring, fd, buf, i, blocks);
        start[i] = t0;
    }
    int inflight = opt.qd;
    while (inflight > 0) {
        int rc = io_uring_submit_and_wait(&ring, 1);
        if (rc < 0 && rc != -EINTR) {
            die("io_uring_submit_and_wait", rc);
        }
        t = now_ns();
        int stopping = t >= end;
        struct io_uring_cqe *cqe;
        unsigned head, n = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            int slot = (int) io_uring_cqe_get_data64(cqe);
            if (cqe->res != opt.bs) {
                fprintf(stderr, "uring_peer: read returned %d\n", cqe->res);
                exit(1);
            }
            hist_record(&hist, t - start[slot], 1);
            n++;
            if (stopping) {             /* past the deadline: let the ops in flight drain */
                inflight--;
            } else {
                prep_read(&ring, fd, buf, slot, blocks);
                start[slot] = t;
            }
        }
        io_uring_cq_advance(&ring, n);
        ops += n;
    }
    report(ops, (t - t0) / 1e9, cpu_seconds() - cpu0);
    io_uring_queue_exit(&ring);
    close(fd);
}

/* ---------- seqwrite ---------- */

static void run_seqwrite(void) {
    int fd = open(opt.file, O_WRONLY | (opt.direct ? O_DIRECT : 0));
    if (fd < 0) {
        die(opt.file, errno);
    }
    struct io_uring ring;
    ring_init(&ring, (unsigned) opt.qd + 1);
    char *buf;
    if (posix_memalign((void **) &buf, 4096, (size_t) opt.bs) != 0) {
        die("posix_memalign", ENOMEM);
    }
    for (int i = 0; i < opt.bs; i++) {     /* the data does not matter, only that it is not all zero */
        buf[i] = (char) next_random();
    }
    uint64_t *start = calloc((size_t) opt.qd, sizeof(uint64_t));
    int *free_slots = calloc((size_t) opt.qd, sizeof(int));
    int nfree = opt.qd;
    for (int i = 0; i < opt.qd; i++) {
        free_slots[i] = i;
    }
    long long writes_per_file = opt.file_size / opt.bs, next_block = 0, ops = 0, since_sync = 0;
    int inflight = 0;
    double cpu0 = cpu_seconds();
    uint64_t t0 = now_ns(), end = t0 + (uint64_t) (opt.seconds * 1e9), t = t0;
    for (;;) {
        int stopping = t >= end;
        /* Fill the queue, but never past the next fdatasync point. */
        while (!stopping && nfree > 0 && since_sync < opt.fsync_every) {
            int slot = free_slots[--nfree];
            struct io_uring_sqe *s = sqe_or_die(&ring);
            long long off = (next_block++ % writes_per_file) * opt.bs;   /* wrap: the disk never fills */
            io_uring_prep_write(s, fd, buf, (unsigned) opt.bs, (uint64_t) off);
            io_uring_sqe_set_data64(s, (uint64_t) slot);
            start[slot] = t;
            inflight++;
            since_sync++;
        }
        if (inflight == 0) {
            if (stopping) {
                break;
            }
            /* All writes of this stretch are done: make them durable before the next stretch. */
            struct io_uring_sqe *s = sqe_or_die(&ring);
            io_uring_prep_fsync(s, fd, IORING_FSYNC_DATASYNC);
            io_uring_sqe_set_data64(s, UINT64_MAX);
            struct io_uring_cqe *cqe;
            int rc = io_uring_submit_and_wait(&ring, 1);
            if (rc < 0 || (rc = io_uring_wait_cqe(&ring, &cqe)) < 0) {
                die("fdatasync", rc);
            }
            if (cqe->res < 0) {
                die("fdatasync", cqe->res);
            }
            io_uring_cqe_seen(&ring, cqe);
            since_sync = 0;
            t = now_ns();
            continue;
        }
        int rc = io_uring_submit_and_wait(&ring, 1);
        if (rc < 0 && rc != -EINTR) {
            die("io_uring_submit_and_wait", rc);
        }
        t = now_ns();
        struct io_uring_cqe *cqe;
        unsigned head, n = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            int slot = (int) io_uring_cqe_get_data64(cqe);
            if (cqe->res != opt.bs) {
                fprintf(stderr, "uring_peer: write returned %d\n", cqe->res);
                exit(1);
            }
            hist_record(&hist, t - start[slot], 1);
            free_slots[nfree++] = slot;
            inflight--;
            n++;
        }
        io_uring_cq_advance(&ring, n);
        ops += n;
    }
    report(ops, (t - t0) / 1e9, cpu_seconds() - cpu0);
    io_uring_queue_exit(&ring);
    close(fd);
}

/* ---------- main ---------- */

static void usage(void) {
    fprintf(stderr,
            "usage: uring_peer --mode nop|randread|seqwrite [--file F --file-size BYTES] [--qd N]\n"
            "                  [--threads N] [--fixed 0|1] [--direct 0|1] [--bs BYTES] [--fsync-every N]\n"
            "                  [--seconds S] [--ring-flags HEX]\n");
    exit(2);
}

int main(int argc, char **argv) {
    static const struct option longopts[] = {
        {"mode", required_argument, 0, 'm'},      {"file", required_argument, 0, 'f'},
        {"file-size", required_argument, 0, 'z'}, {"qd", required_argument, 0, 'q'},
        {"threads", required_argument, 0, 't'},   {"fixed", required_argument, 0, 'x'},
        {"direct", required_argument, 0, 'd'},    {"bs", required_argument, 0, 'b'},
        {"fsync-every", required_argument, 0, 'y'}, {"seconds", required_argument, 0, 's'},
        {"ring-flags", required_argument, 0, 'r'}, {0, 0, 0, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': opt.mode = optarg; break;
        case 'f': opt.file = optarg; break;
        case 'z': opt.file_size = atoll(optarg); break;
        case 'q': opt.qd = atoi(optarg); break;
        case 't': opt.threads = atoi(optarg); break;
        case 'x': opt.fixed = atoi(optarg); break;
        case 'd': opt.direct = atoi(optarg); break;
        case 'b': opt.bs = atoi(optarg); break;
        case 'y': opt.fsync_every = atoi(optarg); break;
        case 's': opt.seconds = atof(optarg); break;
        case 'r': opt.ring_flags = (unsigned) strtoul(optarg, NULL, 0); break;
        default: usage();
        }
    }
    if (opt.qd < 1 || opt.bs < 512 || opt.seconds <= 0) {
        usage();
    }
    if (strcmp(opt.mode, "nop") == 0) {
        if (opt.threads > 0) {
            run_nop_handoff();
        } else {
            run_nop_batch();
        }
    } else if (strcmp(opt.mode, "randread") == 0 || strcmp(opt.mode, "seqwrite") == 0) {
        if (opt.file == NULL || opt.file_size < opt.bs) {
            usage();
        }
        if (opt.mode[0] == 'r') {
            run_randread();
        } else {
            run_seqwrite();
        }
    } else {
        usage();
    }
    return 0;
}
