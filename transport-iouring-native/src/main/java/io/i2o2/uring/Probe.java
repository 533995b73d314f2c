package io.i2o2.uring;

import java.util.ArrayList;
import java.util.List;

/**
 * Which opcodes the running kernel supports, as {@code IORING_REGISTER_PROBE} reports them (or as a
 * {@link KernelFaults} plan pretends). Immutable.
 */
public final class Probe {
    private final boolean[] supported;
    private final int lastOpcode;

    Probe(boolean[] supported, int lastOpcode) {
        this.supported = supported.clone();
        this.lastOpcode = lastOpcode;
    }

    /**
     * A probe that supports the opcodes {@code supported} accepts, for an engine that runs ops without a ring
     * (opcodes 0 to 63: every opcode io_uring has today, with room).
     *
     * @param supported which opcodes are supported
     * @return the probe
     */
    public static Probe of(java.util.function.IntPredicate supported) {
        boolean[] ops = new boolean[64];
        for (int op = 0; op < ops.length; op++) {
            ops[op] = supported.test(op);
        }
        return new Probe(ops, ops.length);
    }

    /**
     * Whether the kernel can run this opcode.
     *
     * @param opcode the opcode
     * @return whether the kernel can run this opcode
     */
    public boolean supports(int opcode) {
        return opcode >= 0 && opcode < supported.length && supported[opcode];
    }

    /**
     * The highest opcode this kernel knows, plus one ({@code IORING_OP_LAST} of the running kernel).
     *
     * @return the highest opcode this kernel knows, plus one ({@code IORING_OP_LAST} of the running kernel)
     */
    public int lastOpcode() {
        return lastOpcode;
    }

    /**
     * Names of the supported opcodes, in opcode order.
     *
     * @return the names of the supported opcodes, in opcode order
     */
    public List<String> supportedNames() {
        List<String> names = new ArrayList<>();
        for (int op = 0; op < supported.length; op++) {
            if (supported[op]) {
                names.add(Opcode.name(op));
            }
        }
        return names;
    }

    /**
     * Throws a {@link UringException} naming the opcode and the release that added it, if unsupported.
     *
     * @param opcode the opcode
     * @param what what is being checked, for the message
     * @throws UringException when the kernel refuses the call (it carries the errno)
     */
    public void require(int opcode, String what) throws UringException {
        if (!supports(opcode)) {
            throw new UringException(what, Errno.EINVAL, "this kernel (" + KernelVersion.running()
                    + ") lacks IORING_OP_" + Opcode.name(opcode) + ", added in Linux " + Opcode.since(opcode));
        }
    }

    @Override
    public String toString() {
        return "Probe" + supportedNames();
    }
}
