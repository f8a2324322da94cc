package io.github.perfevent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Test support for {@link ChildProcessTest}: a JVM that prepares {@code touch <marker>} and then ends without
 * {@link ChildProcess#close()}: {@code main} returns ({@code return}), or it waits to be killed ({@code wait}).
 * Its own pid and the shell's go to {@code <pids>} ("jvm shell") first.
 */
public final class ChildProcessOrphan {

    private ChildProcessOrphan() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        ChildProcess child = ChildProcess.prepare("touch", args[1]);
        Path pids = Path.of(args[2]);
        Path partial = Files.writeString(pids.resolveSibling(pids.getFileName() + ".partial"),
                ProcessHandle.current().pid() + " " + child.pid() + "\n");
        Files.move(partial, pids, StandardCopyOption.ATOMIC_MOVE);
        if (args[0].equals("wait")) {
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
