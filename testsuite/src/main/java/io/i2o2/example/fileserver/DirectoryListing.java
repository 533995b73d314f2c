package io.i2o2.example.fileserver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain HTML page listing a directory: sub-directories first, then files, each a link. Listing a
 * directory is the one thing the server does outside io_uring (there is no {@code getdents} operation).
 */
final class DirectoryListing {
    private DirectoryListing() {
    }

    /**
     * Renders the listing of {@code dir}, reached by the decoded request path {@code segments}, into a
     * buffer of {@code alloc}; blocking, so it runs off the event loops. Leaves out dot files (unless
     * {@code hidden}), and symbolic links that lead out of {@code root}, are absolute, dangle, or (policy
     * {@link ServerConfig.LinkPolicy#NONE}) any link at all, since those would be refused when requested.
     *
     * @throws IOException also when {@code dir} itself is no longer inside {@code root}
     */
    static ByteBuf render(ByteBufAllocator alloc, List<String> segments, Path dir, Path root, boolean hidden,
                          ServerConfig.LinkPolicy links) throws IOException {
        if (!dir.toRealPath().startsWith(root)) {
            throw new java.nio.file.AccessDeniedException(dir.toString(), null, "no longer inside the root");
        }
        String base = href(segments);
        List<String> dirs = new ArrayList<>();
        List<String> files = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!hidden && name.startsWith(".")) {
                    continue;
                }
                if (Files.isSymbolicLink(entry)) {
                    if (links == ServerConfig.LinkPolicy.NONE) {
                        continue;
                    }
                    try {
                        // openat2's RESOLVE_BENEATH refuses absolute links even into the root.
                        if (Files.readSymbolicLink(entry).isAbsolute() || !entry.toRealPath().startsWith(root)) {
                            continue;
                        }
                    } catch (IOException dangling) {
                        continue;
                    }
                }
                (Files.isDirectory(entry) ? dirs : files).add(name);
            }
        }
        dirs.sort(null);
        files.sort(null);
        String title = "Index of " + escape(segments.isEmpty() ? "/" : "/" + String.join("/", segments) + "/");
        StringBuilder html = new StringBuilder(256 + 96 * (dirs.size() + files.size()))
                .append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>").append(title)
                .append("</title></head>\n<body><h1>").append(title).append("</h1>\n<ul>\n");
        if (!segments.isEmpty()) {
            html.append("<li><a href=\"").append(href(segments.subList(0, segments.size() - 1)))
                    .append("\">../</a></li>\n");
        }
        for (String name : dirs) {
            item(html, base, name, "/");
        }
        for (String name : files) {
            item(html, base, name, "");
        }
        html.append("</ul>\n</body></html>\n");
        ByteBuf buf = alloc.buffer(ByteBufUtil.utf8Bytes(html));
        ByteBufUtil.writeUtf8(buf, html);
        return buf;
    }

    private static void item(StringBuilder html, String base, String name, String suffix) {
        html.append("<li><a href=\"").append(base).append(encode(name)).append(suffix).append("\">")
                .append(escape(name)).append(suffix).append("</a></li>\n");
    }

    /** The absolute link to a directory: {@code /} plus each segment encoded, ending in {@code /}. */
    private static String href(List<String> segments) {
        StringBuilder s = new StringBuilder("/");
        for (String segment : segments) {
            s.append(encode(segment)).append('/');
        }
        return s.toString();
    }

    /** Percent-encodes everything but RFC 3986's unreserved characters, as UTF-8. */
    static String encode(String segment) {
        StringBuilder s = new StringBuilder(segment.length());
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                s.append((char) c);
            } else {
                s.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return s.toString();
    }

    /** Escapes text for HTML content and attribute values. */
    static String escape(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> s.append("&amp;");
                case '<' -> s.append("&lt;");
                case '>' -> s.append("&gt;");
                case '"' -> s.append("&quot;");
                case '\'' -> s.append("&#39;");
                default -> s.append(c);
            }
        }
        return s.toString();
    }
}
