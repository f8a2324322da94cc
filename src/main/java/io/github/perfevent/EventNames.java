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

    /**
     * The event {@code text} names, looking names up through {@code sources} (each listing at most once).
     *
     * @throws EventNameException for text that does not parse or names nothing known
     * @throws PerfEventException when tracefs or sysfs cannot answer (as {@link Event#parse} says)
     */
    static Event parse(String text, NameSources sources) {
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            throw syntax(text, nul, "a name cannot contain a NUL character");
        }
        String name = text.strip();
        if (name.isEmpty()) {
            throw syntax(text, -1, "the name is empty");
        }
        int base = text.length() - text.stripLeading().length();
        if (name.endsWith(":")) {
            throw syntax(text, base + name.length() - 1, "nothing after ':'; write a tracepoint as subsystem:name, "
                    + "modifiers as event:u");
        }
        if (name.startsWith("mem:")) {
            return breakpoint(text, name, base);
        }
        int slash = name.indexOf('/');
        if (slash >= 0) {
            return pmuEvent(text, name, base, slash, sources);
        }
        int colon = name.indexOf(':');
        String head = colon < 0 ? name : name.substring(0, colon);
        String rest = colon < 0 ? "" : name.substring(colon + 1);
        int restAt = base + colon + 1;
        Event symbolic;
        try {
            symbolic = symbolic(head);
        } catch (EventNameException e) {
            throw e.within("event name", text, base);
        }
        if (symbolic != null) {
            return modified(text, symbolic, rest, restAt);
        }
        Matcher raw = RAW.matcher(head);
        if (raw.matches()) {
            long config;
            try {
                config = Long.parseUnsignedLong(raw.group(1), 16);
            } catch (NumberFormatException e) {
                throw syntax(text, base + 1, "a raw event's config has 64 bits: at most 16 hex digits after r");
            }
            return modified(text, Event.raw(config), rest, restAt);
        }
        if (head.matches("r0[xX][0-9a-fA-F]+")) {
            throw syntax(text, base + 1, "a raw event is r followed by hex digits without 0x, as perf writes it: r"
                    + EventNameException.shown(head.substring(3)));
        }
        if (colon < 0) {
            throw unknown(text, head, base, sources);
        }
        int second = rest.indexOf(':');
        String tracepoint = second < 0 ? rest : rest.substring(0, second);
        Event event;
        try {
            event = Event.tracepoint(head, tracepoint, sources);
        } catch (EventNameException e) {
            throw head.isEmpty() ? e.within("event name", text, base)
                    : misspeltEventWithModifiers(text, head, base, e, sources);
        } catch (PerfEventException e) {
            throw e.errno() == Errno.ENOENT ? misspeltEventWithModifiers(head, e) : e;
        }
        return second < 0 ? event : modified(text, event, rest.substring(second + 1), restAt + second + 1);
    }

    /** {@code event} with the modifiers {@code letters} (at index {@code at} of {@code text}), if any. */
    private static Event modified(String text, Event event, String letters, int at) {
        try {
            return event.withModifiers(letters);
        } catch (EventNameException e) {
            throw e.within("event name", text, at);
        }
    }

    /**
     * {@code task-clok:u} reads as a tracepoint of subsystem {@code task-clok}: when the mounted tracefs has no such
     * subsystem and the head is near a symbolic event, the error suggests that event (and still gives the
     * tracepoint's problem).
     */
    private static EventNameException misspeltEventWithModifiers(String text, String head, int base,
            EventNameException e, NameSources sources) {
        List<String> near = Suggestions.nearest(head, symbolicNames());
        if (near.isEmpty() || Tracing.hasSubsystem(head, sources)) {
            return e.within("event name", text, base);
        }
        return new EventNameException("event name", text, base, "no event is called '" + EventNameException.shown(head)
                + "'." + Suggestions.didYouMean(near) + " (As a tracepoint: " + e.reason() + ")", near);
    }

    /**
     * {@code task-clok:u} when tracefs is not mounted: the tracepoint cannot be looked up (ENOENT, the environment's
     * answer), and the hint adds the symbolic event that the head is near, if any.
     */
    private static PerfEventException misspeltEventWithModifiers(String head, PerfEventException e) {
        String didYouMean = Suggestions.didYouMean(head, symbolicNames());
        if (didYouMean.isEmpty()) {
            return e;
        }
        return new PerfEventException(e.errno(), e.call(), e.hint() + ". Or, if '" + head + "' is a misspelt event "
                + "with modifiers: no event is called '" + head + "'." + didYouMean); // near: head is short
    }

    private static Event pmuEvent(String text, String name, int base, int slash, NameSources sources) {
        int close = name.lastIndexOf('/');
        if (close == slash) {
            throw syntax(text, base + slash, "a PMU event is written pmu/terms/ (with a closing '/'), such as msr/tsc/");
        }
        String pmu = name.substring(0, slash);
        String terms = name.substring(slash + 1, close);
        String modifiers = name.substring(close + 1);
        int modifiersAt = base + close + 1;
        if (modifiers.startsWith(":")) {
            modifiers = modifiers.substring(1);
            modifiersAt++;
        }
        if (pmu.isEmpty()) {
            throw syntax(text, base, "the PMU name before '/' is missing");
        }
        if (terms.contains("/")) {
            throw syntax(text, base + slash + 1 + terms.indexOf('/'), "a PMU event has exactly two '/': pmu/terms/");
        }
        Event event;
        try {
            event = Pmu.named(pmu, sources).event(terms);
        } catch (EventNameException e) {
            throw e.within("event name", text, e.input().equals(pmu) ? base : base + slash + 1);
        }
        return modified(text, event, modifiers, modifiersAt);
    }

    private static Event breakpoint(String text, String name, int base) {
        int modifierColon = name.indexOf(':', "mem:".length());
        String access = null;
        String modifiers = "";
        int modifiersAt = -1;
        String spec = name;
        if (modifierColon >= 0) {
            String after = name.substring(modifierColon + 1);
            int next = after.indexOf(':');
            access = next < 0 ? after : after.substring(0, next);
            modifiers = next < 0 ? "" : after.substring(next + 1);
            modifiersAt = base + modifierColon + 1 + next + 1;
            spec = name.substring(0, modifierColon) + ":" + access;
        }
        Matcher m = BREAKPOINT.matcher(spec);
        if (!m.matches()) {
            throw syntax(text, base, "a breakpoint is written mem:address[/length][:access], such as mem:0x1000/8:w "
                    + "(access: r, w, rw or x)");
        }
        String addressText = m.group(1);
        long address;
        try {
            address = addressText.startsWith("0x") || addressText.startsWith("0X")
                    ? Long.parseUnsignedLong(addressText.substring(2), 16) : Long.parseUnsignedLong(addressText);
        } catch (NumberFormatException e) {
            throw syntax(text, base + m.start(1), "a breakpoint's address has 64 bits; "
                    + EventNameException.shown(addressText) + " has more");
        }
        Event.Access kind = switch (m.group(3) == null ? "rw" : sorted(m.group(3))) {
            case "r" -> Event.Access.R;
            case "w" -> Event.Access.W;
            case "rw" -> Event.Access.RW;
            case "x" -> Event.Access.X;
            default -> throw syntax(text, base + m.start(3), "breakpoint access '"
                    + EventNameException.shown(m.group(3)) + "' is not one of r, w, rw, x");
        };
        Event event;
        try {
            int length = m.group(2) == null ? kind == Event.Access.X ? Long.BYTES : 4 : Integer.parseInt(m.group(2));
            event = Event.breakpoint(address, length, kind);
        } catch (IllegalArgumentException e) { // NumberFormatException too: a length past int is no valid length
            throw syntax(text, base + m.start(2), "breakpoint length must be 1, 2, 4 or 8 bytes, not "
                    + EventNameException.shown(m.group(2)));
        }
        return modifiers.isEmpty() ? event : modified(text, event, modifiers, modifiersAt);
    }

    private static String sorted(String letters) {
        return letters.chars().distinct().sorted().collect(StringBuilder::new, StringBuilder::appendCodePoint,
                StringBuilder::append).toString();
    }

    private static EventNameException syntax(String text, int at, String why) {
        return new EventNameException("event name", text, at, why, List.of());
    }

    /**
     * No event is called {@code head}: the nearest names among the symbolic events, sysfs's PMU events and tracefs's
     * tracepoints (each listed once), or none without listing anything for a head over
     * {@link Suggestions#MAX_LENGTH} characters.
     */
    private static EventNameException unknown(String text, String head, int base, NameSources sources) {
        List<String> near = List.of();
        if (head.length() <= Suggestions.MAX_LENGTH) {
            List<String> known = new ArrayList<>(symbolicNames());
            known.addAll(sources.pmuEventNames());
            known.addAll(sources.tracepoints());
            near = Suggestions.nearest(head, known);
        }
        return new EventNameException("event name", text, base, "no event is called '" + EventNameException.shown(head)
                + "'." + Suggestions.didYouMean(near) + " EventCatalog.list() lists the events of this machine.", near);
    }
}
