package io.i2o2.example.fileserver;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Turns a request target into a file under one root directory, refusing everything that could reach
 * outside it: {@code ..} segments, encoded slashes and NULs, malformed or double percent-encoding, targets
 * that are neither absolute paths nor {@code http(s)} URIs, and symbolic links whose target lies outside the root.
 *
 * <p>The check is done on names first (cheap, no IO), then once more on the real path
 * ({@link Path#toRealPath}), which resolves every symbolic link. A link swapped in between this check and
 * the open is the one race left; {@link HttpFileHandler} narrows it by opening without following a final
 * link.
 */
public final class SafePaths {
    /** A percent escape that survived one decoding: someone hopes a later layer decodes it again. */
    private static final Pattern ESCAPE = Pattern.compile("%[0-9a-fA-F]{2}");

    private final Path root;

    /**
     * @param root the directory to serve; it must exist
     * @throws IOException if it does not, or cannot be resolved
     */
    public SafePaths(Path root) throws IOException {
        this.root = root.toRealPath();
    }

    /** The real path of the served directory. */
    public Path root() {
        return root;
    }

    /** Where a request target leads. */
    public sealed interface Resolution permits Found, Forbidden, NotFound {
    }

    /**
     * A file or directory inside the root.
     *
     * @param path     its real path (no symbolic links left in it)
     * @param segments the decoded segments of the request path, for links in a directory listing
     */
    public record Found(Path path, List<String> segments) implements Resolution {
    }

    /**
     * A target that tries to leave the root or cannot be decoded safely: answer 403.
     *
     * @param reason what was wrong, for the log
     */
    public record Forbidden(String reason) implements Resolution {
    }

    /** Nothing by that name: answer 404. */
    public record NotFound() implements Resolution {
    }

    /**
     * The decoded segments of a request target, checked by name only (no IO, for an event loop): a
     * {@link Found} whose path is the root joined with them but not yet checked on disk, or a
     * {@link Forbidden}. The server then opens them beneath the root's descriptor with {@code openat2}
     * ({@code RESOLVE_BENEATH}), which refuses every way out, links included, without blocking.
     */
    public Resolution parse(String target) {
        String rawPath = rawPath(target);
        if (rawPath == null) {
            return new Forbidden("not an absolute path: " + target);
        }
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00")) {
            return new Forbidden("encoded slash, backslash or NUL");
        }
        List<String> segments = new ArrayList<>(4);
        for (String raw : rawPath.split("/")) {
            String segment = raw.indexOf('%') < 0 && plain(raw) ? raw : decode(raw);
            if (segment == null) {
                return new Forbidden("malformed percent-encoding or a control character");
            }
            if (segment.equals("..") || segment.indexOf('/') >= 0 || segment.indexOf('\0') >= 0
                    || segment.indexOf('%') >= 0 && ESCAPE.matcher(segment).find()) {
                return new Forbidden("parent, slash, NUL or double encoding in a segment");
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        return new Found(root, List.copyOf(segments));
    }

    /**
     * The root-relative key of a target that needs no decoding or checking beyond its characters (the
     * common case: {@code /a/b.txt}), or null when {@link #parse} must look at it: only letters, digits and
     * {@code -_.~/}, no empty, {@code .} or {@code ..} segment, no trailing slash.
     */
    static String quickKey(String target) {
        int n = target.length();
        if (n < 2 || target.charAt(0) != '/' || target.charAt(n - 1) == '/') {
            return null;
        }
        char prev = '/';
        for (int i = 1; i < n; i++) {
            char c = target.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '~' || c == '.' || c == '/';
            if (!ok || c == '/' && prev == '/' || c == '.' && prev == '/') {
                return null;
            }
            prev = c;
        }
        return target.substring(1);
    }

    /** Printable ASCII only: decodes to itself. */
    private static boolean plain(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /**
     * Resolves a request target ({@code /a/b%20c?q}, or an absolute URI) against the root. Blocking: it
     * asks the file system for the real path.
     */
    public Resolution resolve(String target) {
        String rawPath = rawPath(target);
        if (rawPath == null) {
            return new Forbidden("not an absolute path: " + target);
        }
        String lower = rawPath.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00")) {
            return new Forbidden("encoded slash, backslash or NUL");
        }
        List<String> segments = new ArrayList<>();
        for (String raw : rawPath.split("/")) {
            String segment = decode(raw);
            if (segment == null) {
                return new Forbidden("malformed percent-encoding or a control character");
            }
            if (segment.equals("..") || segment.indexOf('/') >= 0 || segment.indexOf('\0') >= 0
                    || ESCAPE.matcher(segment).find()) {
                return new Forbidden("parent, slash, NUL or double encoding in a segment");
            }
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.add(segment);
            }
        }
        Path candidate = root;
        for (String segment : segments) {
            candidate = candidate.resolve(segment);
        }
        if (!candidate.normalize().startsWith(root)) {
            // Unreachable after the checks above; kept so a mistake there cannot open a hole.
            return new Forbidden("outside the root by name");
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            return new NotFound();
        } catch (FileSystemException e) {
            // ENOTDIR: a path that goes on below a file, which names nothing.
            return "Not a directory".equals(e.getReason()) ? new NotFound() : new Forbidden("cannot resolve: " + e);
        } catch (IOException | SecurityException e) {
            return new Forbidden("cannot resolve: " + e);
        }
        if (!real.startsWith(root)) {
            return new Forbidden("a symbolic link leads outside the root");
        }
        return new Found(real, List.copyOf(segments));
    }

    /** The raw (still encoded) path of an origin-form or absolute-form target, or null. */
    private static String rawPath(String target) {
        String path = target;
        if (!target.startsWith("/")) {
            try {
                URI uri = new URI(target);
                String scheme = uri.getScheme();
                if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || uri.getRawPath() == null) {
                    return null;
                }
                path = uri.getRawPath();
            } catch (URISyntaxException e) {
                return null;
            }
        }
        int end = path.length();
        int query = path.indexOf('?');
        int fragment = path.indexOf('#');
        if (query >= 0) {
            end = query;
        }
        if (fragment >= 0 && fragment < end) {
            end = fragment;
        }
        path = path.substring(0, end);
        return path.startsWith("/") ? path : null;
    }

    /**
     * Decodes percent escapes as UTF-8, strictly (no '+' for space); null when malformed. Netty hands the
     * request line over as ISO-8859-1 characters, so each raw character is one byte of the client's UTF-8.
     */
    private static String decode(String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c < 0x20 || c == 0x7f || c > 0xff) {
                return null;
            }
            if (c != '%') {
                bytes.write(c);
                continue;
            }
            if (i + 2 >= raw.length()) {
                return null;
            }
            int hi = Character.digit(raw.charAt(i + 1), 16);
            int lo = Character.digit(raw.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            bytes.write(hi << 4 | lo);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
