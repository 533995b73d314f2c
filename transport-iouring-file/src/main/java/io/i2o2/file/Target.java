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

    /** Learns which slot runs the op (a returned promise needs it to cancel); the others ignore it. */
    default void bound(OpSlot op) {
    }

    /**
     * The op is about to enter the ring: from now on it may take effect. Loop thread.
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
    }

    /**
     * An allocation-free callback: the op's {@code callback} and {@code tag} fields say which. A refusal is
     * thrown at the submitter, there being no promise to carry it.
     */
    enum Callback implements Target {
        INSTANCE;

        @Override
        public void refuse(Throwable cause) {
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(cause);
        }
    }
}
