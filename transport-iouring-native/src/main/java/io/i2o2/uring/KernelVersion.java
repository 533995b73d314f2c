package io.i2o2.uring;

/**
 * A Linux release number, {@code major.minor}, compared numerically ({@code 5.15 < 6.1}).
 *
 * @param major the major number
 * @param minor the minor number
 */
public record KernelVersion(int major, int minor) implements Comparable<KernelVersion> {

    /**
     * Parses {@code "6.1"} or a full release string such as {@code "6.18.44-fc-v657"}.
     *
     * @param release a kernel release such as {@code "6.1"}
     * @return the major and minor version
     */
    public static KernelVersion parse(String release) {
        String[] parts = release.split("[.\\-+]");
        try {
            return new KernelVersion(Integer.parseInt(parts[0]), parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a kernel release: " + release, e);
        }
    }

    /**
     * The running kernel's release, from {@code os.version}.
     *
     * @return the running kernel's release, from {@code os.version}
     */
    public static KernelVersion running() {
        return parse(System.getProperty("os.version"));
    }

    @Override
    public int compareTo(KernelVersion o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    /**
     * Whether this release is older than {@code other}.
     *
     * @param other the version to compare with
     * @return whether this release is older than {@code other}
     */
    public boolean isBefore(String other) {
        return compareTo(parse(other)) < 0;
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
