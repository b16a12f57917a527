package dev.chatops.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a child process that cannot outlive this JVM, however the JVM ends — {@code System.exit},
 * Ctrl-C, or {@code kill -9}, where no shutdown hook runs.
 *
 * <p>How: the child is started through {@code /bin/sh}, whose standard input is a pipe from this
 * JVM (the JDK's default). The shell forks a watchdog that keeps that pipe open and blocks reading
 * it, then {@code exec}s the command in its own session ({@code setsid}, so a Ctrl-C at the
 * terminal reaches only this JVM, which stops its children in order), keeping the shell's pid:
 * {@link Process#pid()}, {@link Process#onExit()} and the exit status are the command's own. The
 * kernel closes a process's pipes whatever kills it, so when this JVM dies the watchdog reads end
 * of file; if the command still runs, the watchdog sends it {@code stopSignal} (TERM, or QUIT for
 * PostgreSQL's immediate shutdown), waits up to 5 s, kills its process group, and removes the
 * given temporary paths. When the command ends first, the JDK reaps it and then closes the pipe:
 * the watchdog finds it gone and leaves the cleaning to this JVM (which may still read those files).
 *
 * <p>Why not {@code PR_SET_PDEATHSIG} ({@code setpriv --pdeathsig}): it fires when the
 * <em>thread</em> that started the child ends, and this JVM starts children from pool threads that
 * come and go; it removes no files; and its one signal cannot be PostgreSQL's immediate shutdown (QUIT) for
 * one child and KILL for another. Only POSIX sh, coreutils, grep and util-linux ({@code setsid})
 * are used, which every Debian and Ubuntu has.
 *
 * <p>The caller must leave standard input a pipe and keep the {@link Process} it gets (the pipe's
 * end is this JVM's, and closing it stops the child).
 */
public final class TiedProcess {
    private static final String WATCHDOG = """
            signal=$1 count=$2
            shift 2
            exec 3<&0
            (
              trap '' INT QUIT HUP
              alive() { kill -0 "$1" 2>/dev/null && ! grep -qs '^State:[[:space:]]*Z' "/proc/$1/status"; }
              read -r _ <&3
              if alive $$; then
                kill -s "$signal" $$ 2>/dev/null
                i=0
                while alive $$ && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
                kill -s KILL -- -$$ 2>/dev/null
                kill -s KILL $$ 2>/dev/null
                while [ "$count" -gt 0 ]; do rm -rf -- "$1"; shift; count=$((count - 1)); done
              fi
            ) </dev/null >/dev/null 2>&1 &
            shift "$count"
            exec setsid "$@" 3<&- </dev/null
            """;

    private TiedProcess() {
    }

    /**
     * Starts {@code builder}'s command tied to this JVM: should the JVM die, the command gets
     * {@code stopSignal} (a {@code kill -s} name: TERM, QUIT, KILL), then KILL, and {@code remove}
     * is deleted. The builder's command is left unchanged.
     */
    public static Process start(ProcessBuilder builder, String stopSignal, List<Path> remove) throws IOException {
        if (builder.redirectInput() != ProcessBuilder.Redirect.PIPE) {
            throw new IllegalArgumentException("a tied process's standard input must be the pipe from this JVM");
        }
        List<String> original = builder.command();
        List<String> tied = new ArrayList<>(List.of("/bin/sh", "-c", WATCHDOG, "chatops-tie", stopSignal,
                Integer.toString(remove.size())));
        remove.forEach(path -> tied.add(path.toAbsolutePath().toString()));
        tied.addAll(original);
        try {
            return builder.command(tied).start();
        } finally {
            builder.command(original);
        }
    }
}
