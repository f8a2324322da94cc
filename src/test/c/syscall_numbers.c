/* Oracle of SamplerExactnessTest: the system call numbers of this architecture, from the C library's headers. */
#include <stdio.h>
#include <sys/syscall.h>

int main(void) {
    printf("getppid %d\n", SYS_getppid);
    return 0;
}
