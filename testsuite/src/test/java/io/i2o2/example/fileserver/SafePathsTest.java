package io.i2o2.example.fileserver;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Resolution inside the root, and every way out of it refused; no server involved. */
class SafePathsTest {
    @TempDir
    Path tmp;
    Path root;
    SafePaths paths;

    @BeforeEach
    void tree() throws Exception {
        root = Files.createDirectories(tmp.resolve("www"));
        Files.writeString(tmp.resolve("secret.txt"), "outside");
        Files.createDirectories(root.resolve("sub dir"));
        Files.writeString(root.resolve("sub dir/a b.txt"), "inside");
        Files.writeString(root.resolve("caf\u00e9.txt"), "utf-8 name");
        Files.createSymbolicLink(root.resolve("out-file"), tmp.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("out-dir"), tmp);
        Files.createSymbolicLink(root.resolve("in-link"), root.resolve("sub dir/a b.txt"));
        paths = new SafePaths(root);
    }

    SafePaths.Found found(String target) {
        return assertInstanceOf(SafePaths.Found.class, paths.resolve(target), target);
    }

    @Test
    void plainAndEncodedNamesResolveInsideTheRoot() throws Exception {
        SafePaths.Found f = found("/sub%20dir/a%20b.txt");
        assertEquals(root.toRealPath().resolve("sub dir/a b.txt"), f.path());
        assertEquals(List.of("sub dir", "a b.txt"), f.segments());
        assertEquals(root.toRealPath(), found("/").path());
        assertEquals(List.of(), found("/").segments());
        assertEquals(f.path(), found("/sub%20dir//./a%20b.txt?x=1#frag").path(), "empty and . segments, query");
        assertEquals(root.toRealPath().resolve("caf\u00e9.txt"), found("/caf%C3%A9.txt").path());
        // Netty hands raw non-ASCII bytes over as ISO-8859-1 characters.
        assertEquals(root.toRealPath().resolve("caf\u00e9.txt"), found("/caf\u00c3\u00a9.txt").path());
        assertEquals(f.path(), found("http://localhost:8080/sub%20dir/a%20b.txt").path(), "absolute-form target");
    }

    @Test
    void aLinkThatStaysInsideIsFollowed() throws Exception {
        assertEquals(root.toRealPath().resolve("sub dir/a b.txt"), found("/in-link").path());
    }

    @Test
    void missingFilesAreNotFound() {
        assertInstanceOf(SafePaths.NotFound.class, paths.resolve("/nope.txt"));
        assertInstanceOf(SafePaths.NotFound.class, paths.resolve("/sub%20dir/a%20b.txt/below-a-file"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/../secret.txt",
        "/sub%20dir/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/.%2e/secret.txt",
        "/..%2fsecret.txt",
        "/sub%20dir%2f..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/secret.txt%00.html",
        "/%252e%252e/secret.txt",          // double encoding
        "/%25%32%65%25%32%65/secret.txt",  // double encoding, every character escaped
        "/%c0%ae%c0%ae/secret.txt",        // overlong UTF-8 for '.'
        "/%e0%80%ae%e0%80%ae/secret.txt",
        "/%zz",
        "/%",
        "/a\u0000b",
        "/a\nb",
        "secret.txt",                      // not an absolute path
        "../secret.txt",
        "*",
        "file:///etc/passwd",
        "http://x/../secret.txt",
        "/out-file",                       // symbolic link to a file outside
        "/out-dir/secret.txt",             // through a symbolic link to a directory outside
        "/out-dir",
    })
    void everyWayOutIsForbidden(String target) {
        SafePaths.Resolution r = paths.resolve(target);
        assertInstanceOf(SafePaths.Forbidden.class, r, target + " -> " + r);
    }

    @Test
    void anAbsolutePathInTheTargetStaysUnderTheRoot() {
        // "//etc/passwd" is the root's etc/passwd, which does not exist: never the system's.
        assertInstanceOf(SafePaths.NotFound.class, paths.resolve("//etc/passwd"));
        assertInstanceOf(SafePaths.NotFound.class, paths.resolve("/" + tmp.resolve("secret.txt")));
    }
}
