package io.i2o2.uring;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test method that needs io_uring inside a class marked {@link WithoutIoUring} (whose other tests run
 * everywhere, for example on the portable engine): {@link IoUringAvailableCondition} skips it, loudly, where
 * io_uring is unavailable.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
@Inherited
public @interface NeedsIoUring {
}
