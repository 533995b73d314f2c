package io.i2o2.example.fileserver;

import io.netty.util.AsciiString;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code Content-Type} from a file name's extension, from the full table in {@code mime.types} (a resource:
 * {@code extension type} lines, made from the shared-mime-info list); text types get {@code charset=utf-8}.
 */
final class ContentTypes {
    private static final AsciiString DEFAULT = AsciiString.cached("application/octet-stream");
    private static final Map<String, AsciiString> BY_EXTENSION = load();

    private ContentTypes() {
    }

    private static Map<String, AsciiString> load() {
        Map<String, AsciiString> m = new HashMap<>(4096);
        try (InputStream in = ContentTypes.class.getResourceAsStream("mime.types")) {
            if (in == null) {
                throw new IllegalStateException("mime.types resource missing");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = r.readLine()) != null; ) {
                int sp = line.indexOf(' ');
                if (sp <= 0 || line.startsWith("#")) {
                    continue;
                }
                String type = line.substring(sp + 1).trim();
                if (type.startsWith("text/")) {
                    type += "; charset=utf-8";
                }
                m.put(line.substring(0, sp).toLowerCase(Locale.ROOT), AsciiString.cached(type));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Overrides where the table is old-fashioned or we want a charset.
        m.put("js", AsciiString.cached("text/javascript; charset=utf-8"));
        m.put("mjs", AsciiString.cached("text/javascript; charset=utf-8"));
        m.put("json", AsciiString.cached("application/json"));
        m.put("md", AsciiString.cached("text/markdown; charset=utf-8"));
        m.put("java", AsciiString.cached("text/plain; charset=utf-8"));
        return Map.copyOf(m);
    }

    static String of(String fileName) {
        return ascii(fileName).toString();
    }

    static AsciiString ascii(String fileName) {
        int dot = fileName.lastIndexOf('.');
        if (dot < 0) {
            return DEFAULT;
        }
        AsciiString t = BY_EXTENSION.get(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
        return t == null ? DEFAULT : t;
    }

    /** How many extensions the table knows. */
    static int size() {
        return BY_EXTENSION.size();
    }
}
