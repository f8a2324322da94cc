/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The errno names and numbers of the kernel UAPI (x86_64 and aarch64 both use the generic table), which the
 * conformance test compiles with gcc to check Errno. Not read by jextract. Its includes are vendored under
 * include/ with those of perf_event_bindings.h.
 */
#include <asm-generic/errno.h>
