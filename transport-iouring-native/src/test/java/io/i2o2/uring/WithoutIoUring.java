package io.i2o2.uring;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class (or method) that does not need io_uring, so {@link IoUringAvailableCondition} runs it
 * even on a machine without io_uring. Every other test is skipped there.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Inherited
public @interface WithoutIoUring {
}
