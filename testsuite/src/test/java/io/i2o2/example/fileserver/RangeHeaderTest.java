package io.i2o2.example.fileserver;

import io.i2o2.example.fileserver.RangeHeader.Satisfiable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every form of a single byte range, the unsatisfiable ones, and headers that must be ignored. */
class RangeHeaderTest {
    @ParameterizedTest(name = "{0} of {1} bytes -> {2}-{3}")
    @CsvSource(delimiter = '|', value = {
        "bytes=0-0       | 100 | 0  | 0",
        "bytes=0-99      | 100 | 0  | 99",
        "bytes=10-19     | 100 | 10 | 19",
        "bytes=90-500    | 100 | 90 | 99",    // the end is clamped to the last byte
        "bytes=99-       | 100 | 99 | 99",
        "bytes=10-       | 100 | 10 | 99",
        "bytes=-1        | 100 | 99 | 99",
        "bytes=-30       | 100 | 70 | 99",
        "bytes=-500      | 100 | 0  | 99",    // a suffix longer than the file is the whole file
        "' bytes = 5 - 7 '| 100 | 5 | 7",       // spaces around the parts are tolerated
        "BYTES=1-2       | 100 | 1  | 2",
    })
    void satisfiableRanges(String header, long size, long first, long last) {
        Satisfiable r = (Satisfiable) RangeHeader.parse(header, size);
        assertEquals(new Satisfiable(first, last), r);
        assertEquals(last - first + 1, r.length());
        assertEquals("bytes " + first + "-" + last + "/" + size, r.contentRange(size));
    }

    @ParameterizedTest(name = "{0} of {1} bytes -> 416")
    @CsvSource(delimiter = '|', value = {
        "bytes=100-     | 100",
        "bytes=100-200  | 100",
        "bytes=-0       | 100",
        "bytes=0-       | 0",
        "bytes=-5       | 0",
        "bytes=0-0      | 0",
    })
    void unsatisfiableRanges(String header, long size) {
        assertSame(RangeHeader.UNSATISFIABLE, RangeHeader.parse(header, size));
        assertEquals("bytes */" + size, ((RangeHeader.Unsatisfiable) RangeHeader.UNSATISFIABLE).contentRange(size));
    }

    @ParameterizedTest(name = "''{0}'' is ignored")
    @ValueSource(strings = {"", "bytes", "bytes=", "bytes=-", "items=0-5", "bytes=5-2", "bytes=a-b", "bytes=1-x",
        "bytes=0-1,3-4", "bytes=--5", "bytes=+1-2", "bytes=99999999999999999999-", "bytes 0-5"})
    void malformedOrMultipleRangesServeTheWhole(String header) {
        assertSame(RangeHeader.WHOLE, RangeHeader.parse(header, 100));
    }

    @Test
    void noHeaderServesTheWhole() {
        assertSame(RangeHeader.WHOLE, RangeHeader.parse(null, 100));
    }

    @Test
    void negativeSizeIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> RangeHeader.parse("bytes=0-1", -1));
    }
}
