/* SPDX-License-Identifier: Apache-2.0 */
/* The global twin of ranking_local.c. */
__attribute__((noinline)) int twin(int x) {
    __asm__ volatile("" ::: "memory");
    return x + 2;
}

int twin_caller(int x) {
    return twin(x);
}
