package io.i2o2.file.nvme;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds a generic namespace device's controller and namespace id through sysfs, not through its name: with
 * native NVMe multipath, {@code /dev/ngXnY} is the subsystem's head node, whose X numbers the subsystem, not a
 * controller, so {@code /dev/nvmeX} may be another controller or none. The kernel's answer:
 * {@code /sys/class/nvme-generic/ngXnY/device} links to the controller ({@code nvmeN}) or, for a head node, to
 * the subsystem ({@code nvme-subsysN}), whose {@code nvmeN} entries are its controllers; the namespace id is
 * {@code /sys/block/nvmeXnY/nsid}.
 *
 * @param controllerDevice the controller's character device, e.g. {@code /dev/nvme0}
 * @param nsid             the namespace id
 */
public record NvmeSysfs(Path controllerDevice, int nsid) {
    private static final Pattern GENERIC = Pattern.compile("ng(\\d+)n(\\d+)");
    private static final Pattern CONTROLLER = Pattern.compile("nvme\\d+");

    /**
     * What sysfs says about {@code genericDevice} ({@code /dev/ngXnY}), or empty when it says nothing.
     *
     * @param genericDevice the namespace's generic character device, e.g. {@code /dev/ng0n1}
     * @return its controller device (beside it, in the same directory) and namespace id; empty when the name is
     *         not {@code ngXnY}, sysfs has no such device or no controller for it, or reading sysfs fails
     */
    public static Optional<NvmeSysfs> locate(Path genericDevice) {
        return locate(Path.of("/sys"), genericDevice);
    }

    /** The same, reading the sysfs tree at {@code sys} (tests pass a fake one). */
    static Optional<NvmeSysfs> locate(Path sys, Path genericDevice) {
        String name = genericDevice.getFileName().toString();
        Matcher m = GENERIC.matcher(name);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            Path link = sys.resolve("class/nvme-generic").resolve(name).resolve("device");
            if (!Files.exists(link)) {
                return Optional.empty();
            }
            Path target = link.toRealPath();
            String controller = target.getFileName().toString();
            if (!CONTROLLER.matcher(controller).matches()) {
                // A head node: its subsystem's first controller (sorted by number) carries admin commands.
                try (Stream<Path> entries = Files.list(target)) {
                    controller = entries.map(p -> p.getFileName().toString())
                            .filter(n -> CONTROLLER.matcher(n).matches())
                            .min((a, b) -> Integer.compare(Integer.parseInt(a.substring(4)),
                                    Integer.parseInt(b.substring(4))))
                            .orElse(null);
                }
                if (controller == null) {
                    return Optional.empty();
                }
            }
            Path nsidFile = sys.resolve("block/nvme" + m.group(1) + "n" + m.group(2) + "/nsid");
            int nsid = Files.exists(nsidFile) ? Integer.parseInt(Files.readString(nsidFile).trim())
                    : Integer.parseInt(m.group(2));
            return Optional.of(new NvmeSysfs(genericDevice.resolveSibling(controller), nsid));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
