/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A shared library with symbol versions, for ElfSymbolsTest: twice@V1 and twice@@V2 are two functions under one
 * name (as glibc's pthread_cond_init@GLIBC_2.2.5 and @@GLIBC_2.3.2), plain@@V2 is the only one of its name. Linked
 * with a version script that the test writes:
 *   V1 { global: twice; local: *; };  V2 { global: twice; plain; } V1;
 */
__attribute__((noinline)) int twice_old(int x) {
    return 2 * x;
}

__attribute__((noinline)) int twice_new(int x) {
    return x + x;
}

__asm__(".symver twice_old,twice@V1");
__asm__(".symver twice_new,twice@@V2");

int plain(int x) {
    return x + 1;
}
