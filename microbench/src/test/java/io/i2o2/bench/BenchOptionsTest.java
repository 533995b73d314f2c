package io.i2o2.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void defaults() {
        BenchOptions o = BenchOptions.parse();
        assertEquals(List.of(Workload.RANDREAD), o.workloads());
        assertEquals(List.of(1, 32, 128), o.queueDepths());
        assertEquals(BackendRegistry.NAMES, o.backends());
        assertEquals(1L << 30, o.fileSize());
        assertEquals(List.of(new BenchOptions.Threads(0, ThreadKind.PLATFORM),
                new BenchOptions.Threads(1, ThreadKind.PLATFORM), new BenchOptions.Threads(2, ThreadKind.PLATFORM)),
                o.threads(Workload.NOP));
        assertEquals(4, o.threads(Workload.RANDREAD_DIRECT).size());
        assertEquals(List.of(new BenchOptions.Threads(1, ThreadKind.PLATFORM), new BenchOptions.Threads(8, ThreadKind.PLATFORM)),
                o.threads(Workload.QUERY_DIRECT));
        assertTrue(o.fork(), "in-JVM trials run in JVMs of their own unless told otherwise");
        assertFalse(BenchOptions.parse("--fork", "no").fork());
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--fork", "maybe"));
        assertEquals(1, o.repeat());
        assertEquals(3, BenchOptions.parse("--repeat", "3").repeat());
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--repeat", "0"));
        assertEquals(List.of(1), o.loops(), "one loop unless told");
        assertEquals(List.of(1, 2), BenchOptions.parse("--loops", "1,2").loops());
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--loops", "0"));
        assertNull(o.peer());
        assertEquals("netty-iouring", BenchOptions.parse("--peer", "netty").peer());
        IllegalArgumentException notRun = assertThrows(IllegalArgumentException.class,
                () -> BenchOptions.parse("--backends", "c,i2o2", "--peer", "netty"));
        assertTrue(notRun.getMessage().contains("not among the backends"), notRun.getMessage());
    }

    @Test
    void listsAliasesAndThreadKinds() {
        BenchOptions o = BenchOptions.parse("--workload", "nop,seqwrite", "--qd", "4", "--backends", "netty,c",
                "--threads", "0,2,1024v", "--thread-kind", "both", "--file-size", "256m", "--registered");
        assertEquals(List.of(Workload.NOP, Workload.SEQWRITE), o.workloads());
        assertEquals(List.of("c-liburing", "netty-iouring"), o.backends());   // registry order: reference first
        assertEquals(List.of(new BenchOptions.Threads(0, ThreadKind.PLATFORM),
                new BenchOptions.Threads(2, ThreadKind.PLATFORM), new BenchOptions.Threads(2, ThreadKind.VIRTUAL),
                new BenchOptions.Threads(1024, ThreadKind.VIRTUAL)), o.threads(Workload.NOP));
        assertEquals(256L << 20, o.fileSize());
        assertTrue(o.registered());
    }

    @Test
    void rejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--workload", "fsync"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--qd", "0"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--backends", "spdk"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--frobnicate", "1"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--seconds"));
        assertThrows(BenchOptions.HelpRequested.class, () -> BenchOptions.parse("--help"));
    }

    @Test
    void trialPlansLineUp() {
        BenchOptions o = BenchOptions.parse("--qd", "1,32", "--registered", "--threads", "0,2");
        assertEquals(List.of("qd1", "qd1 reg", "qd32", "qd32 reg"),
                TrialPlan.ring(Workload.RANDREAD, o).stream().map(Trial::label).toList());
        assertEquals(List.of("t2"), TrialPlan.threaded(Workload.RANDREAD, o).stream().map(Trial::label).toList());
        assertEquals(List.of("qd1", "qd32", "qd1 t2", "qd32 t2"),
                TrialPlan.ring(Workload.NOP, o).stream().map(Trial::label).toList());
        assertEquals(List.of("qd1"), TrialPlan.ring(Workload.LATENCY, o).stream().map(Trial::label).toList());
        assertEquals(16, new Trial(Workload.NOP, 32, 2, ThreadKind.PLATFORM, false).perProducerWindow());
        assertEquals("qd32 reg x2 loops", Trial.ring(Workload.RANDREAD, 32, true).withLoops(2).label());
        assertEquals(1, new Trial(Workload.NOP, 32, 1024, ThreadKind.VIRTUAL, false).perProducerWindow());
    }
}
