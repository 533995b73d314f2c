/**
 * The io_uring ring in plain Java over the FFM API: setup, submission and completion queues, registration,
 * probe. It needs nothing but {@code java.base}.
 *
 * <p>Only {@code io.i2o2.uring} is API. The generated bindings ({@code io.i2o2.uring.gen} and its
 * per-architecture tables) and the demo are not exported: nothing outside this module may depend on struct
 * offsets. This module is the one that calls the FFM API's restricted methods (the linker, the syscall
 * downcalls, {@code reinterpret}), so on the module path it is the one module that needs
 * {@code --enable-native-access=io.i2o2.uring}.
 */
// javac's "module" lint: "i2o2" ends in a digit; the name is the one the jars always carried.
@SuppressWarnings("module")
module io.i2o2.uring {
    exports io.i2o2.uring;
}
