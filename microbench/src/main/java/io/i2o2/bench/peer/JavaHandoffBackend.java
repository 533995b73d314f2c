package io.i2o2.bench.peer;

import io.i2o2.bench.Backend;
import io.i2o2.bench.BenchEnv;
import io.i2o2.bench.BenchOptions;
import io.i2o2.bench.Measurement;
import io.i2o2.bench.Trial;
import io.i2o2.bench.TrialPlan;
import io.i2o2.bench.Workload;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The pure-Java reference for cross-thread NOPs: producers (typically 1,024 virtual threads) hand a request
 * to one server thread through a concurrent queue and park until it answers; the server marks each request
 * done and unparks its producer. No ring, no promise: the cost of "many threads hand work to one thread and
 * wait", which is the floor under any executor of that shape on this machine.
 *
 * <p>The server spins on the queue while requests arrive and parks when it finds it empty for a while, as
 * a loop does; producers wait as {@link Producers#await} does (virtual threads park at once).
 */
public final class JavaHandoffBackend implements Backend {
    /** Empty polls before the server parks: about the spin of a ring loop (tens of microseconds). */
    private static final int IDLE_POLLS = 2_000;

    /** Creates the backend. */
    public JavaHandoffBackend() {
    }

    @Override
    public String name() {
        return "java-handoff";
    }

    @Override
    public List<Trial> trials(Workload workload, BenchOptions options) {
        return workload == Workload.NOP ? TrialPlan.ring(workload, options).stream().filter(Trial::crossThread).toList()
                : List.of();
    }

    @Override
    public Measurement run(Trial trial, BenchEnv env) throws Exception {
        Server server = new Server();
        Thread serverThread = Thread.ofPlatform().name("handoff-server").start(server);
        try {
            return producers(trial, server, env.durationNanos());
        } finally {
            server.stop = true;
            LockSupport.unpark(serverThread);
            serverThread.join();
        }
    }

    /** One request: answered by the server, waited for by its producer. */
    private static final class Request {
        final Thread producer;
        volatile boolean done;

        Request(Thread producer) {
            this.producer = producer;
        }
    }

    private static final class Server implements Runnable {
        final ConcurrentLinkedQueue<Request> queue = new ConcurrentLinkedQueue<>();
        volatile Thread thread;
        volatile boolean parked;
        volatile boolean stop;

        void submit(Request r) {
            queue.offer(r);
            if (parked) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            thread = Thread.currentThread();
            int idle = 0;
            while (!stop) {
                Request r = queue.poll();
                if (r != null) {
                    idle = 0;
                    r.done = true;
                    LockSupport.unpark(r.producer);
                } else if (++idle < IDLE_POLLS) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (queue.isEmpty() && !stop) {
                        LockSupport.park(this);
                    }
                    parked = false;
                    idle = 0;
                }
            }
        }
    }

    private static Measurement producers(Trial trial, Server server, long durationNanos) throws Exception {
        int window = trial.perProducerWindow();
        return Producers.runBodies(trial.threads(), trial.kind(), durationNanos, p -> (hist, deadline) -> {
            Thread me = Thread.currentThread();
            Request[] inFlight = new Request[window];
            long[] started = new long[window];
            long count = 0;
            for (int s = 0, outstanding = 0; ; s = (s + 1) % window) {
                if (inFlight[s] != null) {
                    while (!inFlight[s].done) {
                        LockSupport.park(server);
                    }
                    hist.record(System.nanoTime() - started[s]);
                    count++;
                    outstanding--;
                    inFlight[s] = null;
                }
                long now = System.nanoTime();
                if (now < deadline) {
                    started[s] = now;
                    inFlight[s] = new Request(me);
                    server.submit(inFlight[s]);
                    outstanding++;
                } else if (outstanding == 0) {
                    return count;
                }
            }
        });
    }
}
