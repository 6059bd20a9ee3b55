package io.ramcast.bench.faults;

import io.ramcast.bench.process.ProcessOwner;
import java.io.IOException;
import java.util.Map;

/**
 * Installs a link cutter, prints {@code CHAIN <name>} and waits on stdin, so that a test can kill
 * it with SIGKILL (no shutdown hook runs) and find its chain left behind.
 */
public final class CrashingCutterMain
{
    private CrashingCutterMain()
    {
    }

    /**
     * @param args the port the cutter's range consists of.
     * @throws IOException if stdin fails.
     */
    public static void main(final String[] args) throws IOException
    {
        final int port = Integer.parseInt(args[0]);
        final LinkCutter cutter = LinkCutter.install(port, port, Map.of(0, ProcessOwner.FIRST_UID), 0);
        cutter.cut(0, LinkCutter.CLIENTS);
        System.out.println("CHAIN " + cutter.chain());
        System.out.flush();
        while (System.in.read() >= 0)
        {
            // wait to be killed; input is ignored
        }
        cutter.close();
    }
}
