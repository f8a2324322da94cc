/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent;

import io.github.perfevent.sys.Errno;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * perf's event syntax (perf-list(1), "EVENT MODIFIERS", "RAW HARDWARE EVENT DESCRIPTOR", "PARAMETERIZED EVENTS",
 * "HARDWARE BREAKPOINT"), parsed into {@link Event}s:
 *
 * <pre>
 * task-clock, cycles, faults, L1-dcache-load-misses      symbolic hardware, software and cache events
 * cycles:u, task-clock:k, instructions:ppp                 ... with modifiers
 * sched:sched_switch, syscalls:sys_enter_getpid:u          tracepoints (subsystem:name[:modifiers])
 * msr/tsc/, uprobe/retprobe,config2=0x1139/, msr/tsc/u    PMU events (pmu/terms/[modifiers])
 * r1a8, r1a8:u                                             raw hardware events (r + hex config)
 * mem:0x1000, mem:0x1000/8:w, mem:0x1000:rw                breakpoints (mem:address[/length][:access])
 * </pre>
 *
 * A breakpoint without a length watches 4 bytes, or {@code sizeof(long)} for {@code x}, and without an access
 * watches reads and writes, as in perf.
 */
final class EventNames {

    private static final Pattern RAW = Pattern.compile("r([0-9a-fA-F]+)");
    private static final Pattern BREAKPOINT = Pattern.compile("mem:(0[xX][0-9a-fA-F]+|[0-9]+)(?:/([0-9]+))?(?::([rwx]+))?");
    private static final Map<String, Event> SYMBOLIC = symbolic();

    private EventNames() {
    }

    /** Hardware and software events by perf's names and aliases, lower-case; insertion-ordered. */
    private static Map<String, Event> symbolic() {
        Map<String, Event> names = new LinkedHashMap<>();
        for (Event.Hardware h : Event.Hardware.values()) {
            names.put(h.perfName(), h.event());
            if (h.alias() != null) {
                names.put(h.alias(), h.event().renamed(h.alias()));
            }
        }
        for (Event.Software s : Event.Software.values()) {
            names.put(s.perfName(), s.event());
            if (s.alias() != null) {
                names.put(s.alias(), s.event().renamed(s.alias()));
            }
        }
        return Collections.unmodifiableMap(names);
    }

    /** {@return perf's names of the hardware, software and (valid) cache events, as perf spells them} */
    static List<String> symbolicNames() {
        List<String> names = new ArrayList<>();
        SYMBOLIC.values().forEach(e -> names.add(e.name()));
        CacheNames.events().forEach(e -> names.add(e.name()));
        return names;
    }

    /** A hardware, software or cache event by perf's name (any case), or null. */
    private static Event symbolic(String head) {
        Event symbolic = SYMBOLIC.get(head.toLowerCase(Locale.ROOT));
        return symbolic != null ? symbolic : CacheNames.parse(head);
    }

    static Event parse(String text) {
        String name = text.strip();
        if (name.isEmpty()) {
            throw syntax(text, "the name is empty");
        }
        if (name.startsWith("mem:")) {
            return breakpoint(text, name);
        }
        int slash = name.indexOf('/');
        if (slash >= 0) {
            return pmuEvent(text, name, slash);
        }
        int colon = name.indexOf(':');
        String head = colon < 0 ? name : name.substring(0, colon);
        String rest = colon < 0 ? "" : name.substring(colon + 1);
        if (colon >= 0 && rest.isEmpty()) {
            throw syntax(text, "nothing after ':'; write a tracepoint as subsystem:name, modifiers as event:u");
        }
        Event symbolic = symbolic(head);
        if (symbolic != null) {
            return colon < 0 ? symbolic : symbolic.withModifiers(rest);
        }
        Matcher raw = RAW.matcher(head);
        if (raw.matches()) {
            Event event = Event.raw(Long.parseUnsignedLong(raw.group(1), 16));
            return colon < 0 ? event : event.withModifiers(rest);
        }
        if (head.matches("r0[xX][0-9a-fA-F]+")) {
            throw syntax(text, "a raw event is r followed by hex digits without 0x, as perf writes it: r"
                    + head.substring(3));
        }
        if (colon < 0) {
            throw unknown(text, head);
        }
        int second = rest.indexOf(':');
        String tracepoint = second < 0 ? rest : rest.substring(0, second);
        Event event;
        try {
            event = Event.tracepoint(head, tracepoint);
        } catch (PerfEventException e) {
            throw e.errno() == Errno.ENOENT ? misspeltEventWithModifiers(text, head, e) : e;
        }
        return second < 0 ? event : event.withModifiers(rest.substring(second + 1));
    }

    /**
     * {@code task-clok:u} reads as a tracepoint of subsystem {@code task-clok}: when there is no such subsystem and
     * the head is near a symbolic event, the error suggests that event (and still gives the tracepoint's problem).
     */
    private static PerfEventException misspeltEventWithModifiers(String text, String head, PerfEventException e) {
        List<String> near = Suggestions.nearest(head, symbolicNames());
        if (near.isEmpty() || Tracing.hasSubsystem(head)) {
            return e;
        }
        return new PerfEventException(Errno.ENOENT, "parse event name '" + text + "'", "no event is called '" + head
                + "'." + Suggestions.didYouMean(head, symbolicNames()) + " (As a tracepoint: " + e.hint() + ")");
    }

    private static Event pmuEvent(String text, String name, int slash) {
        int close = name.lastIndexOf('/');
        if (close == slash) {
            throw syntax(text, "a PMU event is written pmu/terms/ (with a closing '/'), such as msr/tsc/");
        }
        String pmu = name.substring(0, slash);
        String terms = name.substring(slash + 1, close);
        String modifiers = name.substring(close + 1);
        if (modifiers.startsWith(":")) {
            modifiers = modifiers.substring(1);
        }
        if (pmu.isEmpty()) {
            throw syntax(text, "the PMU name before '/' is missing");
        }
        if (terms.contains("/")) {
            throw syntax(text, "a PMU event has exactly two '/': pmu/terms/");
        }
        Event event = Pmu.named(pmu).event(terms);
        return modifiers.isEmpty() ? event : event.withModifiers(modifiers);
    }

    private static Event breakpoint(String text, String name) {
        int modifierColon = name.indexOf(':', "mem:".length());
        String access = null;
        String modifiers = "";
        String spec = name;
        if (modifierColon >= 0) {
            String after = name.substring(modifierColon + 1);
            int next = after.indexOf(':');
            access = next < 0 ? after : after.substring(0, next);
            modifiers = next < 0 ? "" : after.substring(next + 1);
            spec = name.substring(0, modifierColon) + ":" + access;
        }
        Matcher m = BREAKPOINT.matcher(spec);
        if (!m.matches()) {
            throw syntax(text, "a breakpoint is written mem:address[/length][:access], such as mem:0x1000/8:w "
                    + "(access: r, w, rw or x)");
        }
        String addressText = m.group(1);
        long address = addressText.startsWith("0x") || addressText.startsWith("0X")
                ? Long.parseUnsignedLong(addressText.substring(2), 16) : Long.parseUnsignedLong(addressText);
        Event.Access kind = switch (m.group(3) == null ? "rw" : sorted(m.group(3))) {
            case "r" -> Event.Access.R;
            case "w" -> Event.Access.W;
            case "rw" -> Event.Access.RW;
            case "x" -> Event.Access.X;
            default -> throw syntax(text, "breakpoint access '" + m.group(3) + "' is not one of r, w, rw, x");
        };
        int length = m.group(2) != null ? Integer.parseInt(m.group(2)) : kind == Event.Access.X ? Long.BYTES : 4;
        Event event;
        try {
            event = Event.breakpoint(address, length, kind);
        } catch (IllegalArgumentException e) {
            throw syntax(text, e.getMessage());
        }
        return modifiers.isEmpty() ? event : event.withModifiers(modifiers);
    }

    private static String sorted(String letters) {
        return letters.chars().distinct().sorted().collect(StringBuilder::new, StringBuilder::appendCodePoint,
                StringBuilder::append).toString();
    }

    private static PerfEventException syntax(String text, String why) {
        return new PerfEventException(Errno.EINVAL, "parse event name '" + text + "'", why);
    }

    private static PerfEventException unknown(String text, String head) {
        List<String> known = new ArrayList<>(symbolicNames());
        for (Pmu pmu : Pmu.all()) {
            for (String event : pmu.events().keySet()) {
                known.add(pmu.name() + "/" + event + "/");
            }
        }
        known.addAll(Tracing.tracepoints());
        return new PerfEventException(Errno.ENOENT, "parse event name '" + text + "'", "no event is called '" + head
                + "'." + Suggestions.didYouMean(head, known)
                + " EventCatalog.list() lists the events of this machine.");
    }
}
