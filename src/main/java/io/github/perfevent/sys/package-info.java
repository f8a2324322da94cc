/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */

/**
 * The raw layer: {@code perf_event_open(2)}, its ioctls, and the few other system calls a perf user needs, as
 * thin as the kernel interface itself. {@link io.github.perfevent.sys.Syscalls} makes the calls;
 * {@link io.github.perfevent.sys.Errno} names the errors; the generated
 * {@link io.github.perfevent.sys.bindings.perf_event_attr} and friends describe the structs, and
 * {@link io.github.perfevent.sys.bitfields.perf_event_attr_bits} and friends reach their bitfields.
 *
 * <h2>Counting an event</h2>
 * {@snippet :
 * try (Arena arena = Arena.ofConfined()) {
 *     MemorySegment attr = perf_event_attr.allocate(arena);          // zeroed, 144 bytes
 *     perf_event_attr.type(attr, perf_event_h.PERF_TYPE_SOFTWARE());
 *     perf_event_attr.size(attr, (int) perf_event_attr.sizeof());
 *     perf_event_attr.config(attr, perf_event_h.PERF_COUNT_SW_TASK_CLOCK());
 *     perf_event_attr_bits.disabled(attr, 1);
 *     perf_event_attr_bits.exclude_kernel(attr, 1);
 *     int fd = Syscalls.perfEventOpen(attr, 0, -1, -1, perf_event_h.PERF_FLAG_FD_CLOEXEC());
 *     if (fd < 0) throw new IllegalStateException(Errno.describe(fd));
 *     Syscalls.enable(fd, 0);
 *     work();
 *     Syscalls.disable(fd, 0);
 *     MemorySegment value = arena.allocate(Long.BYTES);
 *     Syscalls.read(fd, value);                                      // 8 bytes: the count, in ns here
 *     Syscalls.close(fd);
 * }
 * }
 *
 * <h2>{@code perf_event_attr.size}: one struct, every kernel</h2>
 * The struct grows at its end as the kernel learns new options, and {@code size} tells the kernel how much of it
 * the caller knows. The published sizes are the {@code PERF_ATTR_SIZE_VER*} constants:
 * <table class="striped">
 *   <caption>Published sizes of {@code struct perf_event_attr}</caption>
 *   <thead><tr><th>constant</th><th>bytes</th><th>adds</th></tr></thead>
 *   <tbody>
 *     <tr><td>VER0</td><td>64</td><td>the first published struct, up to {@code bp_addr}/{@code config1}</td></tr>
 *     <tr><td>VER1</td><td>72</td><td>{@code config2} ({@code bp_len})</td></tr>
 *     <tr><td>VER2</td><td>80</td><td>{@code branch_sample_type}</td></tr>
 *     <tr><td>VER3</td><td>96</td><td>{@code sample_regs_user}, {@code sample_stack_user}, {@code clockid}</td></tr>
 *     <tr><td>VER4</td><td>104</td><td>{@code sample_regs_intr}</td></tr>
 *     <tr><td>VER5</td><td>112</td><td>{@code aux_watermark}, {@code sample_max_stack}</td></tr>
 *     <tr><td>VER6</td><td>120</td><td>{@code aux_sample_size} and a reserved word after it, which Linux 6.13 made {@code aux_action}</td></tr>
 *     <tr><td>VER7</td><td>128</td><td>{@code sig_data}</td></tr>
 *     <tr><td>VER8</td><td>136</td><td>{@code config3}</td></tr>
 *     <tr><td>VER9</td><td>144</td><td>{@code config4} — the struct in these bindings (Linux 7.2)</td></tr>
 *   </tbody>
 * </table>
 * The kernel (in {@code perf_copy_attr}) handles a caller's {@code size} like this:
 * <ul>
 *   <li>{@code 0} means VER0: old binaries that never set it keep working.</li>
 *   <li>Smaller than VER0 (1–63), or larger than a page (4096): {@code E2BIG}.</li>
 *   <li>Between VER0 and the kernel's own size: the kernel copies what it is given and treats the rest as 0
 *       (every newer option off). An old program runs unchanged on a new kernel.</li>
 *   <li>Larger than the kernel's own size (a new program on an old kernel): accepted if every byte beyond the
 *       kernel's struct is zero, because those are options the caller left off; if any is non-zero the kernel
 *       cannot honour it and fails with {@code E2BIG}.</li>
 *   <li><b>On every E2BIG the kernel writes its own struct size into {@code attr.size}</b> (136 on Linux 6.3 to
 *       6.18). Read it back to learn what this kernel knows; set {@code size} again before retrying.</li>
 * </ul>
 * So the right thing is what the example above does: allocate the full 144-byte struct zeroed, set
 * {@code size = perf_event_attr.sizeof()}, and set only the fields you need. On a 6.18 kernel that works as long
 * as {@code config4} stays 0; set it there and the call fails with E2BIG and {@code size} becomes 136, which says
 * precisely that {@code config4} is beyond this kernel. (Options inside the known part that a kernel does not
 * support, such as a flag bit it does not know, give {@code EINVAL} instead.)
 *
 * <h2>Thread safety</h2>
 * Every method here is a stateless system call and may be called from any thread; errno is kept per thread. The
 * structs are plain memory: share a segment between threads only as you would share any memory.
 */
package io.github.perfevent.sys;
