/*
 * Copyright The perf-event-open for Java authors.
 * SPDX-License-Identifier: Apache-2.0
 */
package io.github.perfevent.sampling;

import java.util.AbstractSet;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Set;

/**
 * An immutable set of sample fields: a private EnumSet behind a read-only view. Records share a format's instances,
 * and their constructors copy any other set into one.
 */
final class FieldSet extends AbstractSet<SampleField> {

    private final Set<SampleField> fields;

    private FieldSet(EnumSet<SampleField> fields) {
        this.fields = Collections.unmodifiableSet(fields);
    }

    /** {@return {@code fields} if it is already a FieldSet, else an immutable copy} */
    static Set<SampleField> of(Set<SampleField> fields) {
        if (fields instanceof FieldSet shared) {
            return shared;
        }
        EnumSet<SampleField> copy = EnumSet.noneOf(SampleField.class);
        copy.addAll(fields);
        return new FieldSet(copy);
    }

    @Override
    public Iterator<SampleField> iterator() {
        return fields.iterator();
    }

    @Override
    public int size() {
        return fields.size();
    }

    @Override
    public boolean contains(Object o) {
        return fields.contains(o);
    }
}
