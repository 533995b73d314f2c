package io.i2o2.example.fileserver;

import io.netty.handler.codec.DateFormatter;
import io.netty.util.AsciiString;

import java.util.Date;

/** The {@code Date} header value, formatted once a second. */
final class HttpDate {
    private record Stamp(long second, AsciiString text) {
    }

    private static volatile Stamp current = new Stamp(0, AsciiString.EMPTY_STRING);

    private HttpDate() {
    }

    static AsciiString now() {
        long second = System.currentTimeMillis() / 1000;
        Stamp s = current;
        if (s.second != second) {
            s = new Stamp(second, AsciiString.cached(DateFormatter.format(new Date(second * 1000))));
            current = s;
        }
        return s.text;
    }
}
