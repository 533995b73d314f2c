package io.i2o2.bench.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void parsesNestedValues() {
        Object v = Json.parse("{\"a\": [1, 2.5e3, -3], \"b\": {\"c\": \"x\\ny\\u0041\"}, \"t\": true, \"n\": null}");
        assertEquals(List.of(1.0, 2500.0, -3.0), Json.at(v, "a"));
        assertEquals("x\nyA", Json.at(v, "b", "c"));
        assertEquals(Boolean.TRUE, Json.at(v, "t"));
        assertNull(Json.at(v, "n"));
        assertNull(Json.at(v, "missing", "deeper"));
        assertEquals(Double.NaN, Json.number(v, "b"));
    }

    @Test
    void quoteRoundTrips() {
        String s = "tab\tquote\"back\\slash\u0001";
        assertEquals(s, Json.parse(Json.quote(s)));
    }

    @Test
    void rejectsBrokenJson() {
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{\"a\": }"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("[1, 2"));
        assertThrows(IllegalArgumentException.class, () -> Json.parse("{} x"));
    }
}
