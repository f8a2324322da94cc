/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shared library of symbolize_target.c: lib_work is exported (in .dynsym), lib_inner is a local function (only
 * in .symtab), so a stripped copy names the one and not the other. lib_inner_address gives lib_inner's address as the
 * library sees it: a local function's address is its real one, never a PLT entry of the executable.
 */
static volatile long lib_sink;

__attribute__((noinline)) static long lib_inner(long n) {
    long s = 0;
    for (long i = 0; i < n; i++) {
        s += i ^ (s >> 3);
    }
    lib_sink = s;
    return s;
}

__attribute__((noinline)) long lib_work(long n) {
    return lib_inner(n) + 1;
}

void *lib_inner_address(void) {
    return (void *) lib_inner;
}
