package io.i2o2.uring;

import io.i2o2.uring.gen.LinuxUring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The per-architecture constant tables cannot drift from the kernel headers: every constant that
 * {@code arch.filter} names is expanded by each architecture's own preprocessor over that architecture's
 * kernel headers ({@code cpp} with the host's x86-64 headers, {@code aarch64-linux-gnu-cpp} with
 * linux-libc-dev-arm64-cross's), evaluated, and compared with the generated table. Needs the packages
 * {@code cpp} and {@code cpp-aarch64-linux-gnu} and {@code linux-libc-dev-arm64-cross} (.ci/run installs them).
 */
@WithoutIoUring
class ArchConstantsTest {
    private static final Path FILTER = Path.of("src/main/native/arch.filter");

    @ParameterizedTest(name = "{0} table matches {1} over {2}")
    @CsvSource({
            "x86_64, cpp, /usr/include/x86_64-linux-gnu:/usr/include",
            "aarch64, aarch64-linux-gnu-cpp, /usr/aarch64-linux-gnu/include",
    })
    void tableMatchesTheArchitecturesOwnHeaders(String arch, String cpp, String includes) throws Exception {
        List<String> names = filterConstants();
        assertTrue(names.contains("O_DIRECT") && names.contains("__NR_io_uring_setup"), "arch.filter: " + names);
        Map<String, Long> fromHeaders = preprocess(cpp, includes.split(":"), names);
        Class<?> table = Class.forName("io.i2o2.uring.gen." + arch + ".ArchConstants");
        List<String> wrong = new ArrayList<>();
        for (String name : names) {
            long generated = ((Number) table.getMethod(name).invoke(null)).longValue();
            if (generated != fromHeaders.get(name)) {
                wrong.add(name + ": generated " + generated + ", headers " + fromHeaders.get(name));
            }
        }
        assertTrue(wrong.isEmpty(), arch + " table differs from its headers (rerun generate-bindings.sh): " + wrong);
    }

    /**
     * The numbers {@link Arch} writes by hand (jextract cannot expand {@code _IOWR(..., struct ...)}), checked
     * the same way. The one thing cpp cannot evaluate, {@code sizeof(struct nvme_passthru_cmd64)}, is taken
     * as {@link Arch#NVME_PASSTHRU_CMD64_BYTES}, itself checked against the generated 72-byte
     * {@code struct nvme_uring_cmd} in {@link #theIoctlFormulaReproducesTheGeneratedUringCmdNumbers}.
     */
    @ParameterizedTest(name = "{0} hand-written numbers match {1} over {2}")
    @CsvSource({
            "x86_64, cpp, /usr/include/x86_64-linux-gnu:/usr/include",
            "aarch64, aarch64-linux-gnu-cpp, /usr/aarch64-linux-gnu/include",
    })
    void handWrittenNumbersMatchTheArchitecturesOwnHeaders(String arch, String cpp, String includes) throws Exception {
        Arch table = Arch.forOsArch(arch);
        Map<String, Long> expected = new LinkedHashMap<>();
        expected.put("__NR_openat2", (long) table.nrOpenat2());
        expected.put("NVME_IOCTL_ADMIN64_CMD", Integer.toUnsignedLong(table.nvmeIoctlAdmin64Cmd()));
        expected.put("NVME_IOCTL_IO64_CMD", Integer.toUnsignedLong(table.nvmeIoctlIo64Cmd()));
        expected.put("NVME_IOCTL_IO64_CMD_VEC", Integer.toUnsignedLong(table.nvmeIoctlIo64CmdVec()));
        assertEquals(expected, preprocess(cpp, includes.split(":"), List.copyOf(expected.keySet())),
                arch + ": Arch's hand-written numbers differ from the headers");
    }

    @Test
    void theIoctlFormulaReproducesTheGeneratedUringCmdNumbers() {
        // NVME_URING_CMD_* are _IOWR('N', 0x80.., struct nvme_uring_cmd), evaluated by jextract from the headers.
        int uringCmd = (int) io.i2o2.uring.gen.nvme_uring_cmd.sizeof();
        assertEquals(72, uringCmd);
        assertEquals(NvmeUringCmd.CMD_IO, Arch.iowrGeneric('N', 0x80, uringCmd));
        assertEquals(NvmeUringCmd.CMD_ADMIN, Arch.iowrGeneric('N', 0x82, uringCmd));
        assertEquals(0xC0484E80, NvmeUringCmd.CMD_IO);
        assertEquals(uringCmd + Long.BYTES, Arch.NVME_PASSTHRU_CMD64_BYTES, "nvme_passthru_cmd64 = nvme_uring_cmd + __u64 result");
        assertEquals(0xC0504E48, Arch.current().nvmeIoctlIo64Cmd());
    }

    @Test
    void theArchitecturesDifferWhereTheKernelSaysTheyDo() {
        Arch x = Arch.X86_64;
        Arch a = Arch.AARCH64;
        assertEquals(0x4000, x.oDirect());
        assertEquals(0x10000, a.oDirect());
        assertEquals(0x10000, x.oDirectory());
        assertEquals(0x4000, a.oDirectory());
        assertNotEquals(x.oNofollow(), a.oNofollow());
        assertNotEquals(x.oLargefile(), a.oLargefile());
        assertEquals(x.oTmpfile() & ~x.oDirectory(), a.oTmpfile() & ~a.oDirectory(), "__O_TMPFILE is shared");
        assertEquals(x.nrIoUringSetup(), a.nrIoUringSetup());
    }

    @Test
    void selectionFollowsOsArch() {
        assertSame(Arch.X86_64, Arch.forOsArch("amd64"));
        assertSame(Arch.X86_64, Arch.forOsArch("x86_64"));
        assertSame(Arch.AARCH64, Arch.forOsArch("aarch64"));
        assertSame(Arch.AARCH64, Arch.forOsArch("arm64"));
        assertSame(Arch.forOsArch(System.getProperty("os.arch")), Arch.current());
        assertEquals(Arch.current().oDirect(), Linux.O_DIRECT);
        assertEquals(Arch.current().oNofollow(), Linux.O_NOFOLLOW);
        assertEquals(Arch.current().oDirectory(), Linux.O_DIRECTORY);
    }

    @Test
    void anyOtherArchitectureFailsNamingIt() {
        UnsupportedOperationException e =
                assertThrows(UnsupportedOperationException.class, () -> Arch.forOsArch("riscv64"));
        assertTrue(e.getMessage().contains("'riscv64'"), e.getMessage());
        assertTrue(Arch.unsupported("ppc64le").contains("'ppc64le'"));
        assertEquals(null, Arch.unsupported("amd64"));
    }

    @Test
    void theSharedBindingsCarryNoArchitectureDependentConstant() {
        for (Method m : LinuxUring.class.getMethods()) {
            assertFalse(m.getName().matches("O_[A-Z]+|SYS_.*|__NR_.*"),
                    "LinuxUring." + m.getName() + " comes from the host's headers: take it from arch.filter instead");
        }
    }

    private static List<String> filterConstants() throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(FILTER)) {
            if (line.startsWith("--include-constant ")) {
                names.add(line.substring("--include-constant ".length()).trim());
            }
        }
        return names;
    }

    private static Map<String, Long> preprocess(String cpp, String[] includes, List<String> names) throws Exception {
        StringBuilder src = new StringBuilder(
                "#include <asm/fcntl.h>\n#include <asm/unistd.h>\n#include <linux/ioctl.h>\n#include <linux/nvme_ioctl.h>\n");
        for (int i = 0; i < names.size(); i++) {   // the left side is an index: a name would be expanded too
            src.append("I2O2_CONST ").append(i).append(" = ").append(names.get(i)).append(" ;\n");
        }
        List<String> cmd = new ArrayList<>(List.of(cpp, "-P", "-nostdinc"));
        for (String inc : includes) {
            if (!Files.isDirectory(Path.of(inc))) {
                fail("missing " + inc + ": apt-get install linux-libc-dev-arm64-cross (arm64) / linux-libc-dev (x86-64)");
            }
            cmd.add("-isystem");
            cmd.add(inc);
        }
        cmd.add("-");
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new AssertionError(cpp + " not found: apt-get install "
                    + (cpp.equals("cpp") ? "cpp" : "cpp-aarch64-linux-gnu"), e);
        }
        p.getOutputStream().write(src.toString().getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), cpp + " hung");
        assertEquals(0, p.exitValue(), cpp + " failed");
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("I2O2_CONST ")) {
                String[] kv = line.substring("I2O2_CONST ".length()).split(" = ", 2);
                String expr = kv[1].substring(0, kv[1].lastIndexOf(';')).trim()
                        .replace("sizeof(struct nvme_passthru_cmd64)", Integer.toString(Arch.NVME_PASSTHRU_CMD64_BYTES));
                values.put(names.get(Integer.parseInt(kv[0].trim())), new Expr(expr).parse());
            }
        }
        assertEquals(names.size(), values.size(), "not every constant expanded: " + values.keySet());
        return values;
    }

    /** Evaluates the integer constant expressions the kernel headers use: literals, ( ), | & << >> + - ~. */
    static final class Expr {
        private final String s;
        private int pos;

        Expr(String s) {
            this.s = s;
        }

        long parse() {
            long v = or();
            skip();
            if (pos != s.length()) {
                throw new IllegalArgumentException("cannot evaluate '" + s + "' at " + pos);
            }
            return v;
        }

        private long or() {
            long v = and();
            while (eat("|")) {
                v |= and();
            }
            return v;
        }

        private long and() {
            long v = shift();
            while (eat("&")) {
                v &= shift();
            }
            return v;
        }

        private long shift() {
            long v = sum();
            while (true) {
                if (eat("<<")) {
                    v <<= sum();
                } else if (eat(">>")) {
                    v >>= sum();
                } else {
                    return v;
                }
            }
        }

        private long sum() {
            long v = unary();
            while (true) {
                if (eat("+")) {
                    v += unary();
                } else if (eat("-")) {
                    v -= unary();
                } else {
                    return v;
                }
            }
        }

        private long unary() {
            if (eat("~")) {
                return ~unary();
            }
            if (eat("-")) {
                return -unary();
            }
            if (eat("'")) {   // a character literal: the ioctl type, such as 'N'
                char c = s.charAt(pos);
                pos++;
                if (!eat("'")) {
                    throw new IllegalArgumentException("no closing ' in '" + s + "'");
                }
                return c;
            }
            if (eat("(")) {
                long v = or();
                if (!eat(")")) {
                    throw new IllegalArgumentException("no ) in '" + s + "'");
                }
                return v;
            }
            skip();
            int start = pos;
            while (pos < s.length() && Character.isLetterOrDigit(s.charAt(pos))) {
                pos++;
            }
            String lit = s.substring(start, pos).replaceAll("[uUlL]+$", "");
            if (lit.isEmpty()) {
                throw new IllegalArgumentException("cannot evaluate '" + s + "' at " + start);
            }
            if (lit.startsWith("0x") || lit.startsWith("0X")) {
                return Long.parseLong(lit.substring(2), 16);
            }
            return lit.length() > 1 && lit.startsWith("0") ? Long.parseLong(lit.substring(1), 8) : Long.parseLong(lit);
        }

        private boolean eat(String token) {
            skip();
            if (s.startsWith(token, pos)) {
                pos += token.length();
                return true;
            }
            return false;
        }

        private void skip() {
            while (pos < s.length() && s.charAt(pos) == ' ') {
                pos++;
            }
        }
    }

    @Test
    void theEvaluatorReadsTheHeadersNotation() {
        assertEquals(0x404000, new Expr("(020000000 | 040000)").parse());
        assertEquals(1 << 16, new Expr("(1U << 16)").parse());
        assertEquals(0x1f, new Expr("0x1fUL").parse());
        assertEquals(425, new Expr("425").parse());
        assertEquals(0xC0504E48L, new Expr("(((2U|1U) << (((0 +8)+8)+14)) | ((('N')) << (0 +8)) | (((0x48)) << 0)"
                + " | ((((80))) << ((0 +8)+8)))").parse());
    }
}
