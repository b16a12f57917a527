package dev.chatops.shared.runtime;

import java.util.function.Supplier;

/** A value made once, when first asked for, by whichever thread asks first; the others wait for it. */
final class Lazy<T> implements Supplier<T> {
    private final Supplier<T> make;
    private volatile T value;

    Lazy(Supplier<T> make) {
        this.make = make;
    }

    @Override
    public T get() {
        T made = value;
        if (made == null) {
            synchronized (this) {
                if (value == null) {
                    value = make.get();
                }
                made = value;
            }
        }
        return made;
    }
}
