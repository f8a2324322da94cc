/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The single translation unit that regenerate.sh hands to jextract (and that
 * the conformance test compiles with gcc): the perf_event_open(2) UAPI, the
 * hardware-breakpoint constants, and prctl(2) for PR_TASK_PERF_EVENTS_*.
 * Every file it pulls in is vendored under include/; nothing comes from the
 * host's /usr/include (regenerate.sh checks this with gcc -nostdinc -M).
 */
#include <linux/perf_event.h>
#include <linux/hw_breakpoint.h>
#include <linux/prctl.h>
