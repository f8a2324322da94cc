/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bitfield oracle for ConformanceTest. The test compiles this file with gcc against the vendored headers and a
 * bitfield_table.h listing BITFIELD(struct|union, aggregate, field) for every bitfield it found in the
 * preprocessed header, then feeds it commands on standard input, one a line:
 *
 *   W <aggregate> <field> <value> <00|ff>  fill the struct with the byte, assign the value to the field;
 *                                          prints "W <aggregate> <field> <field read back> <hex bytes>"
 *   R <aggregate> <field> <hex bytes>      load the bytes; prints "R <aggregate> <field> <value of the field>
 *                                          <1 if the bytes are all zero once the field is cleared, else 0>
 *                                          [<other bitfield>=<value> for every other bitfield that is not 0]"
 *
 * Values are decimal unsigned long long; bytes are the struct's memory in order, two hex digits each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf_event_bindings.h"

typedef unsigned long long u64;

struct bitfield {
    const char *aggregate;
    const char *field;
    size_t size;
    u64 (*get)(const unsigned char *bytes);
    void (*set)(unsigned char *bytes, u64 value);
};

#define BITFIELD(K, A, F) \
    static u64 get_##A##__##F(const unsigned char *bytes) { \
        K A s; \
        memcpy(&s, bytes, sizeof s); \
        return s.F; \
    } \
    static void set_##A##__##F(unsigned char *bytes, u64 value) { \
        K A s; \
        memcpy(&s, bytes, sizeof s); \
        s.F = value; \
        memcpy(bytes, &s, sizeof s); \
    }
#include "bitfield_table.h"
#undef BITFIELD

#define BITFIELD(K, A, F) { #A, #F, sizeof(K A), get_##A##__##F, set_##A##__##F },
static const struct bitfield table[] = {
#include "bitfield_table.h"
};
#undef BITFIELD

#define COUNT (sizeof table / sizeof table[0])
#define MAX_SIZE 16384

static const struct bitfield *find(const char *aggregate, const char *field) {
    for (size_t i = 0; i < COUNT; i++) {
        if (strcmp(table[i].aggregate, aggregate) == 0 && strcmp(table[i].field, field) == 0) {
            return &table[i];
        }
    }
    return NULL;
}

static void print_hex(const unsigned char *bytes, size_t n) {
    for (size_t i = 0; i < n; i++) {
        printf("%02x", bytes[i]);
    }
}

static int parse_hex(const char *hex, unsigned char *bytes, size_t n) {
    if (strlen(hex) != 2 * n) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned int byte;
        if (sscanf(hex + 2 * i, "%2x", &byte) != 1) {
            return 0;
        }
        bytes[i] = (unsigned char) byte;
    }
    return 1;
}

static char line[4 * MAX_SIZE];

int main(void) {
    static unsigned char bytes[MAX_SIZE], copy[MAX_SIZE];
    for (size_t i = 0; i < COUNT; i++) {
        if (table[i].size > MAX_SIZE) {
            printf("ERROR %s is larger than %d bytes\n", table[i].aggregate, MAX_SIZE);
            return 1;
        }
    }
    while (fgets(line, sizeof line, stdin) != NULL) {
        char command[2], aggregate[128], field[128], arg[sizeof line];
        char base[3];
        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "%1s %127s %127s", command, aggregate, field) != 3) {
            printf("ERROR cannot parse '%s'\n", line);
            continue;
        }
        const struct bitfield *b = find(aggregate, field);
        if (b == NULL) {
            printf("ERROR no bitfield %s.%s\n", aggregate, field);
            continue;
        }
        if (command[0] == 'W' && sscanf(line, "%*s %*s %*s %s %2s", arg, base) == 2) {
            memset(bytes, strcmp(base, "ff") == 0 ? 0xff : 0x00, b->size);
            b->set(bytes, strtoull(arg, NULL, 10));
            printf("W %s %s %llu ", aggregate, field, b->get(bytes));
            print_hex(bytes, b->size);
            printf("\n");
        } else if (command[0] == 'R' && sscanf(line, "%*s %*s %*s %s", arg) == 1 && parse_hex(arg, bytes, b->size)) {
            memcpy(copy, bytes, b->size);
            b->set(copy, 0);
            int rest_zero = 1;
            for (size_t i = 0; i < b->size; i++) {
                rest_zero &= copy[i] == 0;
            }
            printf("R %s %s %llu %d", aggregate, field, b->get(bytes), rest_zero);
            for (size_t i = 0; i < COUNT; i++) {
                if (&table[i] != b && strcmp(table[i].aggregate, aggregate) == 0 && table[i].get(bytes) != 0) {
                    printf(" %s=%llu", table[i].field, table[i].get(bytes));
                }
            }
            printf("\n");
        } else {
            printf("ERROR cannot parse '%s'\n", line);
        }
    }
    return 0;
}
