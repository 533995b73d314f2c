package io.i2o2.example.fileserver;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.Date;

/**
 * What a response to a GET or HEAD of a regular file is, decided from the request's headers and the file's
 * metadata alone: a pure function, so it runs wherever the file ops of the request run (the file loop, in
 * the {@link Wiring#CHANNEL} wiring), and the loop that then writes the response only builds it.
 */
sealed interface ResponsePlan {
    /** {@code 304 Not Modified}: a conditional GET whose validators still hold. */
    record NotModified() implements ResponsePlan {
    }

    /** {@code 416}: no byte of the range is in the file. */
    record Unsatisfiable(CharSequence contentRange) implements ResponsePlan {
    }

    /**
     * A {@code 200} or {@code 206} with {@code length} bytes from {@code first}.
     *
     * @param contentRange the {@code Content-Range} of a 206, or null
     * @param whole        sent in one write with its headers (HEAD, or a body up to {@code wholeBodyLimit});
     *                     false: streamed in chunks
     */
    record Send(HttpResponseStatus status, CharSequence contentRange, long first, long length, boolean whole)
            implements ResponsePlan {
    }

    /** The response to {@code r} for {@code f}. */
    static ResponsePlan decide(FileRequest r, OpenFile f, ServerConfig config) {
        if (notModified(r, f)) {
            return new NotModified();
        }
        long size = f.size;
        RangeHeader.Result range = ifRangeHolds(r, f) ? RangeHeader.parse(r.range(), size) : RangeHeader.WHOLE;
        return switch (range) {
            case RangeHeader.Unsatisfiable u -> new Unsatisfiable(u.contentRange(size));
            case RangeHeader.Satisfiable part -> send(r, config, HttpResponseStatus.PARTIAL_CONTENT,
                    part.contentRange(size), part.first(), part.length());
            case RangeHeader.Whole whole -> send(r, config, HttpResponseStatus.OK, null, 0, size);
        };
    }

    private static Send send(FileRequest r, ServerConfig config, HttpResponseStatus status, CharSequence contentRange,
                             long first, long length) {
        return new Send(status, contentRange, first, length, r.isHead() || length <= config.wholeBodyLimit());
    }

    /**
     * Whether this plan's body must be read from the file before the response goes out: a GET of a body sent
     * whole, with no content in memory and no channel for {@code sendfile}.
     */
    static boolean needsRead(FileRequest r, ResponsePlan plan, OpenFile f) {
        return plan instanceof Send s && s.whole() && !r.isHead() && s.length() > 0 && f.content() == null
                && f.channel() == null;
    }

    /** RFC 9110 §13.2.2: If-None-Match decides when present; If-Modified-Since only without it. */
    private static boolean notModified(FileRequest r, OpenFile f) {
        if (r.ifNoneMatch() != null) {
            return etagMatches(r.ifNoneMatch(), f.etag, true);
        }
        Date since = r.ifModifiedSince() == null ? null : DateFormatter.parseHttpDate(r.ifModifiedSince());
        // HTTP dates have whole seconds: compare at that precision, or a file always looks newer.
        return since != null && f.modifiedSeconds <= since.getTime() / 1000;
    }

    /** Whether a list of entity tags ({@code *}, or comma-separated, maybe weak) names {@code etag}. */
    static boolean etagMatches(String header, CharSequence etag, boolean weak) {
        String tag = etag.toString();
        for (String part : header.split(",")) {
            String t = part.trim();
            if (t.equals("*")) {
                return true;
            }
            if (weak && t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(tag)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a Range applies: no If-Range, or one naming the current ETag (strongly) or Last-Modified. */
    private static boolean ifRangeHolds(FileRequest r, OpenFile f) {
        String ifRange = r.ifRange();
        if (ifRange == null) {
            return true;
        }
        if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
            return ifRange.equals(f.etag.toString());
        }
        Date date = DateFormatter.parseHttpDate(ifRange);
        return date != null && date.getTime() / 1000 == f.modifiedSeconds;
    }
}
