package io.i2o2.file;

import io.netty.util.concurrent.Promise;

import java.util.Objects;

/**
 * Where an operation's result goes, as the caller chose it: a promise this library made and returned
 * ({@link IoPromise}, cancellable until the op enters the ring), a promise the caller passed in, or a
 * callback. Set once per op at claim ({@link OpSlot#target}); refusals report through it too. Nothing is
 * allocated for it beyond the promise the API returns.
 */
sealed interface Target permits IoPromise, Target.User, Target.Callback {
    /** Fails the target with {@code cause}: a promise fails, a callback's submitter gets the exception thrown. */
    void refuse(Throwable cause);

    /**
     * Delivers a successful result, on the loop thread: {@code res} itself, nothing, or {@code value}, as
     * {@code result} says. A callback's {@code callback} and {@code tag} come from its slot (freed by now).
     *
     * @return false if the target was complete already (cancelled): a {@code value} that holds a resource (an
     *         opened file) then has no owner
     */
    boolean deliverSuccess(OpKind.Result result, int res, Object value, IoCallback callback, long tag);

    /**
     * Delivers a failure, on the loop thread: {@code failure} to a promise, the bare {@code res} ({@code -errno})
     * to a callback.
     */
    void deliverFailure(int res, Throwable failure, IoCallback callback, long tag);

    /** Whether a failure is delivered as an exception (made for it): not to a callback, which takes the errno. */
    default boolean takesException() {
        return true;
    }

    /** Learns which slot runs the op (a returned promise needs it to cancel); the others ignore it. */
    default void bound(OpSlot op) {
    }

    /**
     * The op is about to enter the ring: from now on it may take effect. Loop thread, or the portable engine's
     * worker that starts the op ({@link EngineTraits#gatesAtStart}).
     *
     * @param op the op's slot
     * @return false if it was cancelled before and must complete without the kernel
     */
    default boolean enterRing(OpSlot op) {
        return true;
    }

    /** The op was cancelled before it entered the ring and is dropped now, the kernel never seeing it. */
    default void dropped() {
    }

    /** The target for a promise the caller passed in; throws at once for none. */
    static <V> User<V> user(Promise<V> promise) {
        return new User<>(Objects.requireNonNull(promise, "promise"));
    }

    /** The target for {@code callback}: checked before anything is claimed, so a null one leaves no slot behind. */
    static Callback callback(IoCallback callback) {
        Objects.requireNonNull(callback, "callback");
        return Callback.INSTANCE;
    }

    /** A promise the caller passed in: completed, never a reason to drop the op. */
    record User<V>(Promise<V> promise) implements Target {
        @Override
        public void refuse(Throwable cause) {
            promise.tryFailure(cause);
        }

        @Override
        @SuppressWarnings("unchecked")
        public boolean deliverSuccess(OpKind.Result result, int res, Object value, IoCallback callback, long tag) {
            return ((Promise<Object>) promise).trySuccess(result.of(res, value));
        }

        @Override
        public void deliverFailure(int res, Throwable failure, IoCallback callback, long tag) {
            promise.tryFailure(failure);
        }
    }

    /**
     * An allocation-free callback: the op's {@code callback} and {@code tag} fields say which. A refusal is
     * thrown at the submitter, there being no promise to carry it.
     */
    enum Callback implements Target {
        INSTANCE;

        private static final System.Logger LOGGER = System.getLogger(OpCompleter.class.getName());

        @Override
        public void refuse(Throwable cause) {
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        }

        @Override
        public boolean deliverSuccess(OpKind.Result result, int res, Object value, IoCallback callback, long tag) {
            // call()'s body, written out: the hot path of callback ops, one inlining level less (see FileIoCore#completed)
            try {
                callback.onComplete(res, tag);
            } catch (Throwable t) {
                LOGGER.log(System.Logger.Level.WARNING, "an IoCallback threw (tag " + tag + ", result " + res + ")", t);
            }
            return true;
        }

        @Override
        public void deliverFailure(int res, Throwable failure, IoCallback callback, long tag) {
            call(callback, res, tag);
        }

        @Override
        public boolean takesException() {
            return false;
        }

        /** Calls the user's callback; what it throws is logged, never thrown into the loop. */
        private static void call(IoCallback callback, int res, long tag) {
            try {
                callback.onComplete(res, tag);
            } catch (Throwable t) {
                LOGGER.log(System.Logger.Level.WARNING, "an IoCallback threw (tag " + tag + ", result " + res + ")", t);
            }
        }
    }
}
