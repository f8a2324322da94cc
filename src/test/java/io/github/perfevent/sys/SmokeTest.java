package io.github.perfevent.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void closeOfBadFdIsEbadf() {
        assertEquals(-Errno.EBADF, Syscalls.close(-1));
    }
}
