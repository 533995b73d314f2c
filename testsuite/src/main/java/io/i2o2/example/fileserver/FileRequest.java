package io.i2o2.example.fileserver;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.util.List;

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
 * @param ifNoneMatch     the {@code If-None-Match} header, or null
 * @param reject          the error status to answer with (then close), or null for a request to serve
 */
record FileRequest(HttpMethod method, String target, HttpVersion version, boolean keepAlive, String range,
                   String ifRange, String ifModifiedSince, String ifNoneMatch, HttpResponseStatus reject) {
    static FileRequest of(HttpRequest request) {
        HttpHeaders h = request.headers();
        HttpResponseStatus reject = rejection(request);
        return new FileRequest(request.method(), request.uri(), request.protocolVersion(),
                reject == null && HttpUtil.isKeepAlive(request), h.get(HttpHeaderNames.RANGE),
                h.get(HttpHeaderNames.IF_RANGE), h.get(HttpHeaderNames.IF_MODIFIED_SINCE),
                h.get(HttpHeaderNames.IF_NONE_MATCH), reject);
    }

    /**
     * RFC 9112 strictness: 414 for a request line over the limit, 431 for headers over it, 400 for anything
     * else the decoder refused, 505 for a version other than 1.0 and 1.1, 400 for an HTTP/1.1 request
     * without exactly one Host.
     */
    private static HttpResponseStatus rejection(HttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpLineException) {
                return HttpResponseStatus.REQUEST_URI_TOO_LONG;
            }
            if (cause instanceof TooLongHttpHeaderException) {
                return HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
            }
            return HttpResponseStatus.BAD_REQUEST;
        }
        HttpVersion v = request.protocolVersion();
        if (!v.protocolName().equals("HTTP") || v.majorVersion() != 1 || v.minorVersion() > 1) {
            return HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED;
        }
        if (v.minorVersion() == 1) {
            List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
            if (hosts.size() != 1 || hosts.get(0).indexOf(',') >= 0) {
                return HttpResponseStatus.BAD_REQUEST;
            }
        }
        return null;
    }

    /** The same request, refused with {@code status} (a bad body, say). */
    FileRequest rejected(HttpResponseStatus status) {
        return new FileRequest(method, target, version, false, range, ifRange, ifModifiedSince, ifNoneMatch, status);
    }

    boolean isHead() {
        return method.equals(HttpMethod.HEAD);
    }
}
