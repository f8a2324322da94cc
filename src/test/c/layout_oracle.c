/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Layout and constant oracle for ConformanceTest. The test compiles this file with gcc against the vendored
 * headers (headers/perf_event_bindings.h) and a layout_table.h that it generates from the Java side: one
 * X-macro line for every struct/union, every named field of the jextract layouts and every constant of
 * headers/symbols.txt. Each line prints what gcc knows about that name:
 *
 *   A <aggregate> <sizeof> <alignof>
 *   F <aggregate> <field> <offsetof> <sizeof> <alignof> <element sizeof> <value|->
 *   K <constant> <C type> <sizeof> <value as unsigned long long>
 *
 * and first CHAR_IS_SIGNED <0|1> and BITS_PER_LONG <__BITS_PER_LONG of asm/bitsperlong.h> <8 * sizeof(long)>.
 *
 * <value> of a scalar field is the field read from a struct whose bytes are pattern(i) = i * 37 + 11, so that
 * the test can check the generated getter reads the same bytes gcc does. Arrays and named nested
 * structs/unions (MEMBER) print '-'; a flexible array member prints sizeof 0.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "perf_event_bindings.h"

static union {
    unsigned char b[16384];
    unsigned long long align;
} pattern;

#define C_TYPE(x) _Generic((x), \
    char: "char", signed char: "signed_char", unsigned char: "unsigned_char", \
    short: "short", unsigned short: "unsigned_short", int: "int", unsigned int: "unsigned_int", \
    long: "long", unsigned long: "unsigned_long", long long: "long_long", \
    unsigned long long: "unsigned_long_long", default: "other")

#define AGGREGATE(K, A) \
    _Static_assert(sizeof(K A) <= sizeof pattern.b, "pattern too small for " #A); \
    printf("A %s %zu %zu\n", #A, sizeof(K A), _Alignof(K A));

#define SCALAR(K, A, F) { \
    K A s; \
    memcpy(&s, pattern.b, sizeof s); \
    printf("F %s %s %zu %zu %zu %zu %llu\n", #A, #F, offsetof(K A, F), sizeof(s.F), \
           _Alignof(__typeof__(s.F)), sizeof(s.F), (unsigned long long) s.F); \
}

#define ARRAY(K, A, F) { \
    K A s; \
    printf("F %s %s %zu %zu %zu %zu -\n", #A, #F, offsetof(K A, F), sizeof(s.F), \
           _Alignof(__typeof__(s.F[0])), sizeof(s.F[0])); \
}

#define MEMBER(K, A, F) { \
    K A s; \
    printf("F %s %s %zu %zu %zu %zu -\n", #A, #F, offsetof(K A, F), sizeof(s.F), \
           _Alignof(__typeof__(s.F)), sizeof(s.F)); \
}

#define FLEXIBLE(K, A, F) { \
    K A s; \
    printf("F %s %s %zu 0 %zu %zu -\n", #A, #F, offsetof(K A, F), \
           _Alignof(__typeof__(s.F[0])), sizeof(s.F[0])); \
}

#define CONSTANT(N) printf("K %s %s %zu %llu\n", #N, C_TYPE(N), sizeof(N), (unsigned long long) (N));

int main(void) {
    for (size_t i = 0; i < sizeof pattern.b; i++) {
        pattern.b[i] = (unsigned char) (i * 37 + 11);
    }
    printf("CHAR_IS_SIGNED %d\n", (char) -1 < 0);
    /* The asm/ headers of another architecture would disagree with the compiler here (x86_64's on aarch64: 32). */
    printf("BITS_PER_LONG %d %zu\n", __BITS_PER_LONG, 8 * sizeof(long));
#include "layout_table.h"
    return 0;
}
