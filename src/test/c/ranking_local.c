/* SPDX-License-Identifier: Apache-2.0 */
/*
 * For ElfSymbolsTest, linked with ranking_global.c: two functions named twin, a local one here (static, listed first
 * in .symtab, as every local is) and a global one there. A uprobe on "twin" must reach the global one.
 */
int twin_caller(int x);

static __attribute__((noinline, used)) int twin(int x) {
    __asm__ volatile("" ::: "memory");
    return x * 3;
}

int main(void) {
    return twin(1) + twin_caller(2) == 7 ? 0 : 1;
}
