/*
 * Workload of SideBandTest: loads the smallest BPF program there is, a socket filter "r0 = 0; exit", through
 * bpf(2) BPF_PROG_LOAD, and prints its id and tag ("id <n> tag <16 hex digits>"), which the kernel's KSYMBOL and
 * BPF_EVENT records name. The program is unloaded when the process exits.
 */
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
    struct bpf_insn insns[2];
    memset(insns, 0, sizeof insns);
    insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K; /* r0 = 0 */
    insns[1].code = BPF_JMP | BPF_EXIT;
    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    attr.insns = (unsigned long) insns;
    attr.insn_cnt = 2;
    attr.license = (unsigned long) "GPL";
    strcpy(attr.prog_name, "perfevent_test");
    int fd = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
    if (fd < 0) {
        perror("bpf(BPF_PROG_LOAD)");
        return 1;
    }
    struct bpf_prog_info info;
    memset(&info, 0, sizeof info);
    memset(&attr, 0, sizeof attr);
    attr.info.bpf_fd = fd;
    attr.info.info_len = sizeof info;
    attr.info.info = (unsigned long) &info;
    if (syscall(SYS_bpf, BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof attr) != 0) {
        perror("bpf(BPF_OBJ_GET_INFO_BY_FD)");
        return 1;
    }
    printf("id %u tag ", info.id);
    for (int i = 0; i < BPF_TAG_SIZE; i++) {
        printf("%02x", info.tag[i]);
    }
    printf("\n");
    return 0;
}
