/**
 * The guided tour that {@code ./i2o2 demo} runs. Not API: excluded from the published javadoc.
 */
package io.i2o2.uring.demo;
