package io.i2o2.example.fileserver;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * A whole body as the last content of its response, with no trailers and so no trailer headers object: what
 * {@code DefaultFullHttpResponse} would allocate per response (a headers map and its 16-entry table) that a
 * file response never uses.
 */
final class LastBody extends DefaultHttpContent implements LastHttpContent {
    LastBody(ByteBuf content) {
        super(content);
    }

    @Override
    public HttpHeaders trailingHeaders() {
        return EmptyHttpHeaders.INSTANCE;
    }

    @Override
    public LastBody copy() {
        return replace(content().copy());
    }

    @Override
    public LastBody duplicate() {
        return replace(content().duplicate());
    }

    @Override
    public LastBody retainedDuplicate() {
        return replace(content().retainedDuplicate());
    }

    @Override
    public LastBody replace(ByteBuf content) {
        return new LastBody(content);
    }

    @Override
    public LastBody retain() {
        super.retain();
        return this;
    }

    @Override
    public LastBody retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public LastBody touch() {
        super.touch();
        return this;
    }

    @Override
    public LastBody touch(Object hint) {
        super.touch(hint);
        return this;
    }
}
