package io.i2o2.example.fileserver;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What {@link HttpFileHandler} needs of a request, copied out of Netty's message so the message can be
 * released at once and a request waiting behind another (pipelining) holds no buffer.
 *
 * @param method          the method
 * @param target          the request target, still percent-encoded
 * @param version         the protocol version
 * @param keepAlive       whether the connection stays open after the response
 * @param range           the {@code Range} header, or null
 * @param ifRange         the {@code If-Range} header, or null
 * @param ifModifiedSince the {@code If-Modified-Since} header, or null
 * @param malformed       whether the decoder could not parse the request
 */
record FileRequest(HttpMethod method, String target, HttpVersion version, boolean keepAlive, String range,
                   String ifRange, String ifModifiedSince, boolean malformed) {
    static FileRequest of(HttpRequest request) {
        HttpHeaders h = request.headers();
        boolean malformed = request.decoderResult().isFailure();
        return new FileRequest(request.method(), request.uri(), request.protocolVersion(),
                !malformed && HttpUtil.isKeepAlive(request), h.get(HttpHeaderNames.RANGE),
                h.get(HttpHeaderNames.IF_RANGE), h.get(HttpHeaderNames.IF_MODIFIED_SINCE), malformed);
    }

    /** The same request, answered with {@code Connection: close}. */
    FileRequest withoutKeepAlive() {
        return new FileRequest(method, target, version, false, range, ifRange, ifModifiedSince, malformed);
    }

    boolean isHead() {
        return method.equals(HttpMethod.HEAD);
    }
}
