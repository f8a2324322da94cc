/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import io.github.perfevent.internal.CountingAccess;
import io.github.perfevent.internal.CountingAccess.Kind;
import io.github.perfevent.internal.CountingAccess.Site;
import io.github.perfevent.internal.CountingAccess.Sites;
import io.github.perfevent.sys.bindings.perf_event_attr;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collection;
import java.util.List;

/** The counting package's side of {@link CountingAccess}, registered when {@link Target} is initialized. */
final class CountingBridge implements CountingAccess.Bridge {

    @Override
    public Sites resolve(Target target) {
        Target.Resolved resolved = target.resolve();
        List<Site> sites = resolved.sites.stream().map(s -> new Site(s.pid(), s.cpu(), s.label())).toList();
        return new Sites(sites, resolved.flags, kind(target, resolved), target.childProcess(), resolved::close);
    }

    private static Kind kind(Target target, Target.Resolved resolved) {
        if (target.childProcess() != null) {
            return Kind.CHILD;
        }
        if (resolved.tasksMayEnd) {
            return Kind.PROCESS;
        }
        if (resolved.flags != 0) {
            return Kind.CGROUP;
        }
        return resolved.sites.getFirst().cpu() >= 0 ? Kind.CPUS : Kind.THREAD;
    }

    @Override
    public void writeAttr(MemorySegment attr, Arena arena, Event event, Options options) {
        perf_event_attr.size(attr, (int) perf_event_attr.sizeof());
        options.writeTo(attr);
        event.writeTo(attr, arena);
        event.writeModifiersTo(attr);
    }

    @Override
    public PerfEventException openFailed(int errno, MemorySegment attr, Event event, Site site, int groupFd,
            long flags) {
        return ErrorHints.openFailed(errno, attr, event, new Target.Site(site.pid(), site.cpu(), site.label()),
                groupFd, flags);
    }

    @Override
    public PerfEventException failure(int errno, String call, String hint) {
        return new PerfEventException(errno, call, hint);
    }

    @Override
    public PerfEventException fileFailure(String call, IOException e, String hint) {
        return PerfEventException.ofFileAccess(call, e, hint);
    }

    @Override
    public String didYouMean(String unknown, Collection<String> known) {
        return Suggestions.didYouMean(unknown, known);
    }

    @Override
    public boolean vanished(Sites sites, PerfEventException failure, Site site) {
        return sites.kind() == Kind.PROCESS && Target.threadEnded(failure, site.pid());
    }

    @Override
    public void requireNotStarted(ChildProcess child) {
        child.requireNotStarted();
    }
}
