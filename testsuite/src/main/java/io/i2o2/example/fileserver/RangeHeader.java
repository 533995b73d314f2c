package io.i2o2.example.fileserver;

/**
 * What a {@code Range} request header asks of a representation of a given size (RFC 9110, section 14):
 * the whole of it, one satisfiable byte range, or nothing it can satisfy. Pure: no IO, no Netty.
 *
 * <p>Only a single range is honoured. A header this server does not understand (another unit, several
 * ranges, bad syntax) is ignored and the whole representation is sent, as the RFC allows.
 */
public final class RangeHeader {
    /** {@link #number}: the text was empty. */
    private static final long MISSING = -1;
    /** {@link #number}: the text was not a decimal number that fits a long. */
    private static final long INVALID = -2;

    /** The one {@link Whole} instance. */
    public static final Result WHOLE = new Whole();
    /** The one {@link Unsatisfiable} instance. */
    public static final Result UNSATISFIABLE = new Unsatisfiable();

    private RangeHeader() {
    }

    /** What to send: {@link Whole}, {@link Satisfiable} or {@link Unsatisfiable}. */
    public sealed interface Result permits Whole, Satisfiable, Unsatisfiable {
    }

    /** Serve the whole representation with 200: no header, or one to ignore. */
    public record Whole() implements Result {
    }

    /**
     * Serve bytes {@code first..last} (inclusive) with 206.
     *
     * @param first the first byte's offset
     * @param last  the last byte's offset, below the size
     */
    public record Satisfiable(long first, long last) implements Result {
        /** How many bytes the range holds. */
        public long length() {
            return last - first + 1;
        }

        /** The {@code Content-Range} value for a representation of {@code size} bytes. */
        public String contentRange(long size) {
            return "bytes " + first + "-" + last + "/" + size;
        }
    }

    /** No byte of the range exists: 416 with {@code Content-Range: bytes *}{@code /size}. */
    public record Unsatisfiable() implements Result {
        /** The {@code Content-Range} value for a representation of {@code size} bytes. */
        public String contentRange(long size) {
            return "bytes */" + size;
        }
    }

    /**
     * Interprets a {@code Range} header value for a representation of {@code size} bytes.
     *
     * @param header the header's value, or null when the request has none
     * @param size   the representation's length, {@code >= 0}
     */
    public static Result parse(String header, long size) {
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0: " + size);
        }
        if (header == null) {
            return WHOLE;
        }
        String value = header.strip();
        int eq = value.indexOf('=');
        if (eq < 0 || !value.substring(0, eq).strip().equalsIgnoreCase("bytes")) {
            return WHOLE;
        }
        String spec = value.substring(eq + 1).strip();
        int dash = spec.indexOf('-');
        if (spec.indexOf(',') >= 0 || dash < 0) {
            return WHOLE;
        }
        long first = number(spec.substring(0, dash).strip());
        long last = number(spec.substring(dash + 1).strip());
        if (first == MISSING) {
            // "-n": the last n bytes.
            if (last == MISSING || last == INVALID) {
                return WHOLE;
            }
            return last == 0 || size == 0 ? UNSATISFIABLE : new Satisfiable(Math.max(0, size - last), size - 1);
        }
        if (first == INVALID || last == INVALID || (last != MISSING && last < first)) {
            return WHOLE;
        }
        if (first >= size) {
            return UNSATISFIABLE;
        }
        return new Satisfiable(first, last == MISSING ? size - 1 : Math.min(last, size - 1));
    }

    /** A non-negative decimal number, or {@link #MISSING} or {@link #INVALID}. */
    private static long number(String digits) {
        if (digits.isEmpty()) {
            return MISSING;
        }
        if (digits.length() > 18) {
            // 19 digits may overflow a long; no file is that large anyway.
            return INVALID;
        }
        long n = 0;
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                return INVALID;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
